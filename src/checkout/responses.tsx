import type { Context } from "hono";
import { ApiError } from "../domain/errors";
import { cancelRedirect, successRedirect } from "../domain/redirects";
import type { AppEnv } from "../http/context";
import { maskName } from "./format";
import { CheckoutPage, type CheckoutPageData, type FormState } from "./forms";
import { origin, setCheckoutCsp } from "./headers";
import { MESSAGES, type ClosedStatus, type Locale, type ResultStatus } from "./i18n";
import { bareView, html, loadBrand, switchUrl, type PageAnswer } from "./load";
import { ClosedPage, InvalidLinkPage, MessagePage, NotFoundPage, ResultPage, type PageView } from "./page";

/** The hosted pages' answers: the checkout, its end (a redirect, the popup's result, or what happened), and refusals. */

export const isOpenStatus = (status: string) => status === "open" || status === "requires_payment_method";

/**
 * A failure as a page, not the API's JSON: a busy object (429, with its Retry-After) or a bug,
 * logged as the app's error handler logs it (never a request body).
 */
export async function failurePage(c: Context<AppEnv>, error: unknown, locale: Locale): Promise<Response> {
  const known = error instanceof ApiError && error.status < 500 ? error : null;
  if (!known)
    console.error(
      JSON.stringify({ request_id: c.get("requestId"), error: String(error), stack: error instanceof Error ? error.stack : undefined }),
    );
  const m = MESSAGES[locale];
  const view = bareView(locale);
  const res =
    known?.status === 429
      ? await html(c, <MessagePage title={m.busy_title} message={m.busy_message} view={view} />, 429)
      : await html(
          c,
          <MessagePage title={m.error_title} message={m.error_message(c.get("requestId"))} view={view} />,
          known?.status ?? 500,
        );
  for (const [name, value] of Object.entries(known?.headers ?? {})) res.headers.set(name, value);
  return res;
}

export function refusedPage(c: Context<AppEnv>, code: "not_found" | "client_secret_invalid", view: PageView): Promise<Response> {
  return code === "not_found" ? html(c, <NotFoundPage view={view} />, 404) : html(c, <InvalidLinkPage view={view} />, 403);
}

/**
 * The end of a checkout the buyer just brought about: a 303 to the merchant (its success or cancel
 * redirect, naming the checkout), or in a popup the result page, which posts the result to the
 * merchant's page (the origin of its success_url, exactly) and closes.
 */
export async function finish(
  c: Context<AppEnv>,
  page: PageAnswer,
  status: ResultStatus,
  popup: boolean,
  locale: Locale,
): Promise<Response> {
  setCheckoutCsp(c, page.checkout);
  const checkout = { ...page.checkout, kind: page.kind };
  const redirect_url = status === "authorized" ? successRedirect(checkout) : cancelRedirect(checkout);
  if (!popup) return c.redirect(redirect_url, 303);
  const { brand } = await loadBrand(c, page);
  return html(
    c,
    <ResultPage
      status={status}
      id={page.checkout.id}
      redirect_url={redirect_url}
      target_origin={origin(page.checkout.success_url) ?? ""}
      brand={brand}
      view={bareView(locale)}
    />,
  );
}

/**
 * A checkout found already ended (reopened, or ended while the buyer typed): in a popup the result
 * goes to the merchant's page as after paying; otherwise the page says what happened, with the way
 * back to the merchant, rather than sending the buyer off without a word.
 */
/**
 * What the buyer is told of a closed checkout: an authorized checkout whose payment the merchant then
 * voided, or let lapse, did not take the buyer's money, and the page must not say "paid".
 */
function closedStatus(page: PageAnswer): ClosedStatus {
  const status = page.checkout.status as ClosedStatus;
  if (status !== "authorized") return status;
  if (page.payment_status === "voided") return "canceled";
  if (page.payment_status === "expired") return "expired";
  return status;
}

export async function showClosed(c: Context<AppEnv>, page: PageAnswer, popup: boolean, locale: Locale): Promise<Response> {
  const status = closedStatus(page);
  if (popup) return finish(c, page, status === "authorized" ? "authorized" : status === "failed" ? "failed" : "canceled", popup, locale);
  setCheckoutCsp(c, page.checkout);
  const checkout = { ...page.checkout, kind: page.kind };
  const return_url = status === "authorized" ? successRedirect(checkout) : cancelRedirect(checkout);
  const { brand, theme_css } = await loadBrand(c, page);
  const view = { locale, switch_url: switchUrl(page, locale, popup), theme_css };
  return html(c, <ClosedPage status={status} checkout={page.checkout} return_url={return_url} brand={brand} view={view} />);
}

export async function showCheckout(
  c: Context<AppEnv>,
  page: PageAnswer,
  form: FormState,
  locale: Locale,
  status: 200 | 409 | 422 = 200,
): Promise<Response> {
  const { brand, theme_css } = await loadBrand(c, page);
  const data: CheckoutPageData = {
    checkout: page.checkout,
    kind: page.kind,
    mode: page.mode,
    brand,
    buyer: page.buyer ? { masked_name: maskName(page.buyer.full_name) } : null,
  };
  setCheckoutCsp(c, page.checkout);
  const view = { locale, switch_url: switchUrl(page, locale, form.popup), theme_css };
  return html(c, <CheckoutPage data={data} form={form} view={view} />, status);
}
