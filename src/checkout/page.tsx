import type { Child, FC } from "hono/jsx";
import type { JSX } from "hono/jsx/jsx-runtime";
import type { Currency } from "../domain/currencies";
import type { CheckoutView } from "../payments/views";
import { PAGE_CSS_PATH, PAGE_JS_PATH } from "./assets";
import { formatAmount, formatDateTime } from "./format";
import { DIRECTION, INTL_TAG, LOCALES, MESSAGES, type ClosedStatus, type Locale, type ResultStatus } from "./i18n";

/**
 * The hosted checkout's HTML frame and its pages without a form (hono/jsx escapes every value).
 * No inline script or style: the CSP allows only our own /checkout/assets/ files. Every word comes
 * from i18n.ts in the page's language; `lang` and `dir` are set on <html>, and the stylesheet uses
 * logical properties, so one layout serves Arabic (right to left) and English.
 */

/** How a page is shown: its language, the link to the other one, and the merchant's theme. */
export interface PageView {
  locale: Locale;
  /** The same page in the other language (null where there is nothing to reload, e.g. after a refused post). */
  switch_url: string | null;
  /** The stylesheet carrying the merchant's brand colour, if it has one (assets.ts). */
  theme_css: string | null;
}

/** The merchant as the buyer sees it: its display name, logo and colour, and its site's domain as a trust cue. */
export interface MerchantBrand {
  name: string;
  logo_url: string | null;
  site: string | null;
}

export async function renderDocument(node: JSX.Element): Promise<string> {
  return "<!doctype html>" + (await node);
}

const otherLocale = (locale: Locale): Locale => LOCALES.find((l) => l !== locale)!;

const LanguageSwitch: FC<{ view: PageView }> = ({ view }) => {
  if (!view.switch_url) return null;
  const other = otherLocale(view.locale);
  return (
    <nav class="lang-switch" aria-label={MESSAGES[view.locale].switch_language}>
      <a href={view.switch_url} lang={other} hreflang={other} id="switch-language">
        {MESSAGES[other].language_name}
      </a>
    </nav>
  );
};

export const Layout: FC<{ title: string; view: PageView; children?: Child }> = ({ title, view, children }) => (
  <html lang={view.locale} dir={DIRECTION[view.locale]} data-intl={INTL_TAG[view.locale]}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      <title>{title}</title>
      <link rel="stylesheet" href={PAGE_CSS_PATH} />
      {view.theme_css ? <link rel="stylesheet" href={view.theme_css} /> : null}
      <script src={PAGE_JS_PATH} defer></script>
    </head>
    <body>
      <main>
        <LanguageSwitch view={view} />
        {children}
      </main>
    </body>
  </html>
);

export const MessagePage: FC<{ title: string; message: string; view: PageView }> = ({ title, message, view }) => (
  <Layout title={title} view={view}>
    <div class="panel">
      <h1>{title}</h1>
      <p>{message}</p>
    </div>
  </Layout>
);

export const NotFoundPage: FC<{ view: PageView }> = ({ view }) => {
  const m = MESSAGES[view.locale];
  return <MessagePage title={m.not_found_title} message={m.not_found_message} view={view} />;
};

export const InvalidLinkPage: FC<{ view: PageView }> = ({ view }) => {
  const m = MESSAGES[view.locale];
  return <MessagePage title={m.invalid_link_title} message={m.invalid_link_message} view={view} />;
};

export const ForeignFormPage: FC<{ view: PageView }> = ({ view }) => {
  const m = MESSAGES[view.locale];
  return <MessagePage title={m.foreign_form_title} message={m.foreign_form_message} view={view} />;
};

/** The merchant: logo, display name and site. */
const MerchantHeader: FC<{ brand: MerchantBrand; locale: Locale }> = ({ brand, locale }) => {
  const m = MESSAGES[locale];
  return (
    <div class="brand">
      {brand.logo_url ? <img class="logo" src={brand.logo_url} alt={m.merchant_logo(brand.name)} id="merchant-logo" /> : null}
      <div class="brand-text">
        <p class="merchant" id="summary-heading">
          {brand.name}
        </p>
        {brand.site ? (
          <p class="site" id="merchant-site">
            <span class="visually-hidden">{m.merchant_site}: </span>
            <bdi dir="ltr">{brand.site}</bdi>
          </p>
        ) : null}
      </div>
    </div>
  );
};

/** After paying or cancelling in a popup: page.js posts the result to the merchant's page and closes the window. */
export const ResultPage: FC<{
  status: ResultStatus;
  id: string;
  redirect_url: string;
  target_origin: string;
  brand: MerchantBrand;
  view: PageView;
}> = (props) => {
  const m = MESSAGES[props.view.locale];
  const title = m.result_title[props.status];
  return (
    <Layout title={title} view={{ ...props.view, switch_url: null }}>
      <div
        class="panel"
        id="checkout-result"
        data-status={props.status}
        data-id={props.id}
        data-redirect-url={props.redirect_url}
        data-target-origin={props.target_origin}
      >
        <h1>{title}</h1>
        <p>{m.returning_to(props.brand.name)}</p>
        <a class="button primary" href={props.redirect_url}>
          {m.continue_to(props.brand.name)}
        </a>
      </div>
    </Layout>
  );
};

/**
 * A checkout reopened after it ended: what happened, in words, and the way back to the merchant
 * (its success redirect once paid, else its cancel redirect, naming the checkout either way).
 */
export const ClosedPage: FC<{
  status: ClosedStatus;
  checkout: CheckoutView;
  return_url: string;
  brand: MerchantBrand;
  view: PageView;
}> = ({ status, checkout, return_url, brand, view }) => {
  const m = MESSAGES[view.locale];
  return (
    <Layout title={m.closed_title[status]} view={view}>
      <section class="panel" aria-labelledby="closed-heading" id="checkout-closed" data-status={status}>
        <MerchantHeader brand={brand} locale={view.locale} />
        <p class="amount amount-small">{formatAmount(checkout.amount, checkout.currency as Currency, view.locale)}</p>
        <h1 id="closed-heading">{m.closed_title[status]}</h1>
        <p>{m.closed_message[status](brand.name)}</p>
        <a class="button primary" href={return_url} id="return-link">
          {m.return_to(brand.name)}
        </a>
      </section>
    </Layout>
  );
};

/**
 * A wallet top-up says what reaches the wallet, and the fee the buyer pays on top of it (a fee
 * the merchant bears is not the buyer's business).
 */
const TopUpLines: FC<{ checkout: CheckoutView; locale: Locale }> = ({ checkout, locale }) => {
  const top_up = "top_up" in checkout ? checkout.top_up : null;
  if (!top_up) return null;
  const m = MESSAGES[locale];
  const money = (amount: number) => formatAmount(amount, checkout.currency as Currency, locale);
  return (
    <ul class="top-up" id="top-up">
      <li>{m.top_up_amount(money(top_up.amount))}</li>
      {top_up.fee_bearer === "buyer" && top_up.fee_amount > 0 ? <li>{m.top_up_fee(money(top_up.fee_amount))}</li> : null}
    </ul>
  );
};

/** The amount, what it is for, and when the link lapses (page.js rewrites the time in the buyer's own zone). */
export const Summary: FC<{ checkout: CheckoutView; mode: "sandbox" | "live"; brand: MerchantBrand; locale: Locale }> = (p) => {
  const m = MESSAGES[p.locale];
  return (
    <section class="panel summary" aria-labelledby="summary-heading">
      {p.mode === "sandbox" ? <p class="badge">{m.sandbox_badge}</p> : null}
      <MerchantHeader brand={p.brand} locale={p.locale} />
      <p class="amount" id="amount">
        {formatAmount(p.checkout.amount, p.checkout.currency as Currency, p.locale)}
      </p>
      <TopUpLines checkout={p.checkout} locale={p.locale} />
      {p.checkout.description ? (
        <p class="description">
          <bdi>{p.checkout.description}</bdi>
        </p>
      ) : null}
      <p class="meta">
        {m.expires}{" "}
        <time datetime={p.checkout.expires_at} data-local id="expires-at">
          {formatDateTime(p.checkout.expires_at, p.locale)}
        </time>
      </p>
    </section>
  );
};
