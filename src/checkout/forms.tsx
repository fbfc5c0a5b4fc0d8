import type { FC } from "hono/jsx";
import type { Currency } from "../domain/currencies";
import { cancelRedirect } from "../domain/redirects";
import type { CheckoutView } from "../payments/views";
import { formatAmount } from "./format";
import { MESSAGES, type Locale } from "./i18n";
import { Layout, Summary, type MerchantBrand, type PageView } from "./page";

/**
 * The checkout page with its form: a wallet payment (a one-time code) or a card. Card numbers and
 * CVVs are never written back into a page; a number that fails the Luhn check is caught in the
 * browser (page.js) before it is sent, so what the buyer typed stays in the field.
 *
 * Privacy: anyone holding the link can open this page, so before the buyer confirms with the code
 * it shows only a masked name and no balance; the balance appears only in the answer to a correct
 * code that found too little money (form-routes.tsx).
 */

export interface CheckoutPageData {
  checkout: CheckoutView;
  kind: "session" | "intent";
  mode: "sandbox" | "live";
  brand: MerchantBrand;
  /** The wallet's owner as the page may show them before the code: masked (format.ts, maskName). */
  buyer: { masked_name: string } | null;
}

/** The card form's fields, by the name each has in the form and the param the API names it by. */
export type CardField = "card_number" | "card_name" | "card_expiry" | "card_cvc";
export type FormField = CardField | "otp";

export interface FormState {
  /** Opened from checkout.js: the result goes back to the merchant's page by postMessage. */
  popup: boolean;
  /** The last attempt's answer, shown above the form, already in the page's language. */
  error?: { message: string; decline_code?: string; attempts_remaining?: number };
  field_errors?: Partial<Record<FormField, string>>;
  /** What may be shown again: the name and expiry, never the number or CVV. */
  values?: { card_name?: string; card_expiry?: string };
}

const Hidden: FC<{ data: CheckoutPageData; form: FormState; locale: Locale }> = ({ data, form, locale }) => (
  <>
    <input type="hidden" name="client_secret" value={data.checkout.client_secret} />
    <input type="hidden" name="lang" value={locale} />
    {form.popup ? <input type="hidden" name="popup" value="1" /> : null}
  </>
);

const AttemptError: FC<{ form: FormState; locale: Locale }> = ({ form, locale }) => {
  if (!form.error) return null;
  const m = MESSAGES[locale];
  const { message, decline_code, attempts_remaining } = form.error;
  const details: string[] = [];
  if (decline_code) details.push(m.decline_code(decline_code));
  if (attempts_remaining !== undefined) details.push(m.attempts_left(attempts_remaining));
  return (
    <div class="alert" id="form-error" role="alert" tabindex={-1}>
      <p>{message}</p>
      {details.length > 0 ? <p class="detail">{details.join(" · ")}</p> : null}
    </div>
  );
};

/** A labelled input with its hint and error tied to it for screen readers. */
const Field: FC<{
  id: string;
  name: FormField;
  label: string;
  hint?: string;
  form: FormState;
  autocomplete: string;
  numeric?: boolean;
  maxlength: number;
  placeholder?: string;
  value?: string;
  focus?: boolean;
  /** What page.js says when the number fails the Luhn check, in the page's language. */
  invalid_message?: string;
}> = (p) => {
  const error = p.form.field_errors?.[p.name];
  const describedBy = [p.hint ? `${p.id}-hint` : null, error ? `${p.id}-error` : null].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <input
        id={p.id}
        name={p.name}
        type="text"
        dir={p.numeric ? "ltr" : undefined}
        autocomplete={p.autocomplete}
        inputmode={p.numeric ? "numeric" : undefined}
        maxlength={p.maxlength}
        placeholder={p.placeholder}
        value={p.value}
        required
        spellcheck={false}
        autocapitalize={p.numeric ? "off" : undefined}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy || undefined}
        autofocus={p.focus || undefined}
        data-invalid-message={p.invalid_message}
      />
      {error ? (
        <p class="field-error" id={`${p.id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
};

const CancelForm: FC<{ data: CheckoutPageData; form: FormState; locale: Locale }> = ({ data, form, locale }) => (
  <form class="cancel-form" method="post" action={`/checkout/${encodeURIComponent(data.checkout.id)}/cancel`} data-once>
    <Hidden data={data} form={form} locale={locale} />
    <button type="submit" class="secondary" id="cancel-button">
      {MESSAGES[locale].cancel_and_return(data.brand.name)}
    </button>
  </form>
);

const WalletForm: FC<{ data: CheckoutPageData; form: FormState; locale: Locale }> = ({ data, form, locale }) => {
  const m = MESSAGES[locale];
  const { checkout, buyer } = data;
  const firstError = form.field_errors?.otp !== undefined;
  return (
    <section class="panel" aria-labelledby="pay-heading">
      <h2 id="pay-heading">{m.wallet_heading}</h2>
      <dl>
        <dt>{m.account}</dt>
        <dd id="buyer-name">
          <bdi>{buyer?.masked_name ?? "•••"}</bdi>
        </dd>
      </dl>
      <p class="hint" id="privacy-note">
        {m.account_masked_note}
      </p>
      <AttemptError form={form} locale={locale} />
      <form method="post" action={`/checkout/${encodeURIComponent(checkout.id)}/pay`} data-once>
        <Hidden data={data} form={form} locale={locale} />
        <Field
          id="otp"
          name="otp"
          label={m.otp_label}
          hint={m.otp_hint}
          form={form}
          autocomplete="one-time-code"
          numeric
          maxlength={12}
          focus={firstError || Boolean(form.error)}
        />
        <button type="submit" class="primary" id="pay-button">
          {m.pay(formatAmount(checkout.amount, checkout.currency as Currency, locale))}
        </button>
      </form>
      <CancelForm data={data} form={form} locale={locale} />
    </section>
  );
};

const CARD_FIELDS: CardField[] = ["card_number", "card_name", "card_expiry", "card_cvc"];

const CardForm: FC<{ data: CheckoutPageData; form: FormState; locale: Locale }> = ({ data, form, locale }) => {
  const m = MESSAGES[locale];
  const { checkout } = data;
  const firstError = CARD_FIELDS.find((f) => form.field_errors?.[f] !== undefined) ?? (form.error ? "card_number" : undefined);
  return (
    <section class="panel" aria-labelledby="pay-heading">
      <h2 id="pay-heading">{m.card_heading}</h2>
      <p class="hint">{m.card_sandbox_hint}</p>
      <AttemptError form={form} locale={locale} />
      <form method="post" action={`/checkout/${encodeURIComponent(checkout.id)}/pay`} data-once id="card-form">
        <Hidden data={data} form={form} locale={locale} />
        <Field
          id="card-number"
          name="card_number"
          label={m.card_number}
          form={form}
          autocomplete="cc-number"
          numeric
          maxlength={23}
          placeholder="1234 1234 1234 1234"
          focus={firstError === "card_number"}
          invalid_message={m.card_problem.invalid_number}
        />
        <Field
          id="card-name"
          name="card_name"
          label={m.card_name}
          form={form}
          autocomplete="cc-name"
          maxlength={100}
          value={form.values?.card_name}
          focus={firstError === "card_name"}
        />
        <div class="row">
          <Field
            id="card-expiry"
            name="card_expiry"
            label={m.card_expiry}
            form={form}
            autocomplete="cc-exp"
            numeric
            maxlength={7}
            placeholder={m.card_expiry_placeholder}
            value={form.values?.card_expiry}
            focus={firstError === "card_expiry"}
          />
          <Field
            id="card-cvc"
            name="card_cvc"
            label={m.card_cvc}
            form={form}
            autocomplete="cc-csc"
            numeric
            maxlength={4}
            placeholder="123"
            focus={firstError === "card_cvc"}
          />
        </div>
        <button type="submit" class="primary" id="pay-button">
          {m.pay(formatAmount(checkout.amount, checkout.currency as Currency, locale))}
        </button>
      </form>
      <CancelForm data={data} form={form} locale={locale} />
    </section>
  );
};

/** Live mode has no card processor and no code sender yet: the page says so and offers no form. */
const LiveUnavailable: FC<{ data: CheckoutPageData; locale: Locale }> = ({ data, locale }) => {
  const m = MESSAGES[locale];
  const method = data.kind === "intent" ? "card" : "wallet";
  return (
    <section class="panel" aria-labelledby="pay-heading">
      <h2 id="pay-heading">{m.live_title[method]}</h2>
      <p class="note" id="live-unavailable">
        {m.live_message[method]}
      </p>
      {/* The merchant learns which checkout the buyer walked away from, as after a cancel. */}
      <a class="button secondary" href={cancelRedirect({ ...data.checkout, kind: data.kind })}>
        {m.return_to(data.brand.name)}
      </a>
    </section>
  );
};

export const CheckoutPage: FC<{ data: CheckoutPageData; form: FormState; view: PageView }> = ({ data, form, view }) => {
  const { locale } = view;
  return (
    <Layout title={MESSAGES[locale].page_title(data.brand.name)} view={view}>
      <Summary checkout={data.checkout} mode={data.mode} brand={data.brand} locale={locale} />
      {data.mode === "live" ? (
        <LiveUnavailable data={data} locale={locale} />
      ) : data.kind === "session" ? (
        <WalletForm data={data} form={form} locale={locale} />
      ) : (
        <CardForm data={data} form={form} locale={locale} />
      )}
      <footer>
        <p>{MESSAGES[locale].secured_by}</p>
      </footer>
    </Layout>
  );
};
