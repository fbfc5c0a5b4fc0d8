import { Hono, type Context, type Next } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { CARD_PROBLEM_MESSAGES, type CardProblem } from "../domain/card-simulator";
import type { Currency } from "../domain/currencies";
import type { Refusal } from "../domain/outcome";
import type { AppEnv } from "../http/context";
import type { PayInput, PaymentRefusalCode } from "../payments/types";
import { buyerPaymentCall } from "../services/payments";
import { formatAmount } from "./format";
import type { CardField, FormState } from "./forms";
import { pageHeaders } from "./headers";
import { MESSAGES, type Locale, type Messages } from "./i18n";
import { bareView, buyerAvailable, html, loadCheckout, localeFor, type PageAnswer } from "./load";
import { ForeignFormPage } from "./page";
import { checkoutObject } from "./pay-api";
import { failurePage, finish, isOpenStatus, refusedPage, showCheckout, showClosed } from "./responses";

/**
 * The hosted page's form posts (pay, cancel). They share their paths with the JSON buyer API
 * (pay-api.ts): a form body is answered here with a page, anything else goes on to the JSON
 * handlers. Each answer is in the language the page was in (its hidden `lang` field); the payment
 * object's English messages are never shown: the page words each answer by its code (i18n.ts).
 *
 * Card numbers and CVVs go from the form to the payment object and nowhere else: they are not
 * logged, not stored here and not written back into a page.
 */

export const checkoutFormRoutes = new Hono<AppEnv>();

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;
const checkCsrf = csrf();

/**
 * Cross-site form posts are refused: hono's csrf accepts a form only with `Sec-Fetch-Site:
 * same-origin` or an Origin equal to ours. The client secret in a hidden field is the second key.
 */
async function fromOurPage(c: Context<AppEnv>): Promise<boolean> {
  let passed = false;
  try {
    await checkCsrf(c, async () => {
      passed = true;
    });
  } catch (error) {
    if (!(error instanceof HTTPException)) throw error;
  }
  return passed;
}

type FormHandler = (c: Context<AppEnv>, body: Record<string, string>) => Promise<Response> | Response;

/** A form body is ours to answer with a page; JSON (and anything else) goes on to pay-api.ts. */
function formRoute(handler: FormHandler) {
  return async (c: Context<AppEnv>, next: Next) => {
    if (c.req.method !== "POST" || !FORM_TYPES.test(c.req.header("Content-Type") ?? "")) return next();
    await pageHeaders(c, async () => {
      if (!(await fromOurPage(c))) {
        c.res = await html(c, <ForeignFormPage view={bareView(localeFor(c, null))} />, 403);
        return;
      }
      const body: Record<string, string> = {};
      try {
        const raw = await c.req.parseBody();
        for (const [name, value] of Object.entries(raw)) if (typeof value === "string") body[name] = value;
        c.res = await handler(c, body);
      } catch (error) {
        c.res = await failurePage(c, error, localeFor(c, body.lang));
      }
    });
    return c.res;
  };
}

/** "12/30", "12 / 2030", or "1230" as typed on a keypad without a slash. */
export function parseExpiry(typed: string): { exp_month: number; exp_year: number } | null {
  const compact = typed.replace(/\s/g, "");
  const match = /^(\d{2})(\d{2})$/.exec(compact) ?? /^(\d{1,2})\/(\d{2}|\d{4})$/.exec(compact);
  if (!match) return null;
  return { exp_month: Number(match[1]), exp_year: Number(match[2]) };
}

const FIELD_OF_PARAM: Record<string, CardField> = {
  "card.number": "card_number",
  "card.exp_month": "card_expiry",
  "card.exp_year": "card_expiry",
  "card.cvc": "card_cvc",
  "card.name": "card_name",
};

/** The payment object says what is wrong with a card in English; the page words it by the problem. */
const PROBLEM_OF_MESSAGE = new Map(Object.entries(CARD_PROBLEM_MESSAGES).map(([problem, message]) => [message, problem as CardProblem]));

type Built = { input: PayInput; values?: FormState["values"] } | { form: FormState };

/** The attempt as the payment object takes it, or the field the buyer must fix first (no attempt used). */
function buildInput(page: PageAnswer, body: Record<string, string>, popup: boolean, m: Messages): Built {
  if (page.kind === "session") {
    const otp = (body.otp ?? "").trim();
    if (otp.length === 0 || otp.length > 12) return { form: { popup, field_errors: { otp: m.otp_missing } } };
    return { input: { method: "wallet", otp } };
  }
  const name = (body.card_name ?? "").trim();
  const expiry = (body.card_expiry ?? "").trim();
  const values = { card_name: name.slice(0, 100), card_expiry: expiry.slice(0, 7) };
  const number = body.card_number ?? "";
  const cvc = (body.card_cvc ?? "").trim();
  const wrong = (field: CardField, message: string): Built => ({ form: { popup, values, field_errors: { [field]: message } } });
  if (number.length > 32) return wrong("card_number", m.card_problem.invalid_number);
  if (name.length > 100) return wrong("card_name", m.card_name_too_long);
  if (cvc.length > 8) return wrong("card_cvc", m.card_problem.invalid_cvc);
  const parsed = parseExpiry(expiry);
  if (!parsed) return wrong("card_expiry", m.card_problem.invalid_expiry);
  return { input: { method: "card", card: { number, exp_month: parsed.exp_month, exp_year: parsed.exp_year, cvc, name } }, values };
}

function refusalMessage(code: PaymentRefusalCode, m: Messages): string {
  if (code === "otp_unavailable") return m.live_message.wallet;
  if (code === "card_processing_unavailable") return m.live_message.card;
  return code in m.refused ? m.refused[code as keyof Messages["refused"]] : m.refused_other;
}

/**
 * A declined attempt in words. Too little money is said once, with the balance: the buyer has just
 * proved with the one-time code that the wallet is theirs.
 */
async function declineMessage(c: Context<AppEnv>, page: PageAnswer, decline_code: string | undefined, locale: Locale) {
  const m = MESSAGES[locale];
  const currency = page.checkout.currency as Currency;
  if (decline_code === "insufficient_funds") {
    const amount = formatAmount(page.checkout.amount, currency, locale);
    const available = await buyerAvailable(c, page);
    return available === null
      ? m.insufficient_funds_unknown(amount)
      : m.insufficient_funds(formatAmount(available, currency, locale), amount);
  }
  return decline_code && decline_code in m.declined ? m.declined[decline_code as keyof Messages["declined"]] : m.declined_other;
}

async function afterRefusal(
  c: Context<AppEnv>,
  id: string,
  secret: string,
  page: PageAnswer,
  refusal: Refusal<PaymentRefusalCode>,
  form: FormState,
  locale: Locale,
): Promise<Response> {
  const m = MESSAGES[locale];
  if (refusal.code === "not_found" || refusal.code === "client_secret_invalid") return refusedPage(c, refusal.code, bareView(locale));
  if (refusal.code === "card_invalid") {
    const field = FIELD_OF_PARAM[refusal.param ?? ""] ?? "card_number";
    const message = m.card_problem[PROBLEM_OF_MESSAGE.get(refusal.message) ?? "invalid_number"];
    return showCheckout(c, page, { ...form, field_errors: { [field]: message } }, locale, 422);
  }
  // The checkout may have ended meanwhile (paid in another tab, expired, out of attempts).
  const reloaded = await loadCheckout(c, id, secret);
  if (!reloaded.ok) return refusedPage(c, reloaded.code, bareView(locale));
  if (!isOpenStatus(reloaded.page.checkout.status)) return showClosed(c, reloaded.page, form.popup, locale);
  const status = refusal.code === "attempt_in_progress" ? 409 : 422;
  return showCheckout(c, reloaded.page, { ...form, error: { message: refusalMessage(refusal.code, m) } }, locale, status);
}

/**
 * What a buyer's pay or cancel form starts with: the checkout its id and secret name, in the
 * language asked for; a page to answer with instead when the link is bad or the checkout is
 * no longer open (it says what happened).
 */
async function openCheckoutForm(c: Context<AppEnv>, body: Record<string, string>) {
  const id = c.req.param("id") ?? "";
  const secret = body.client_secret ?? "";
  const popup = body.popup === "1";
  const loaded = await loadCheckout(c, id, secret);
  if (!loaded.ok) return refusedPage(c, loaded.code, bareView(localeFor(c, body.lang)));
  const page = loaded.page;
  const locale = localeFor(c, body.lang, page);
  if (!isOpenStatus(page.checkout.status)) return showClosed(c, page, popup, locale);
  return { id, secret, popup, page, locale };
}

checkoutFormRoutes.use(
  "/checkout/:id/pay",
  formRoute(async (c, body) => {
    const opened = await openCheckoutForm(c, body);
    if (opened instanceof Response) return opened;
    const { id, secret, popup, page, locale } = opened;
    if (page.mode === "live") return showCheckout(c, page, { popup }, locale);

    const built = buildInput(page, body, popup, MESSAGES[locale]);
    if ("form" in built) return showCheckout(c, page, built.form, locale, 422);
    const form: FormState = { popup, values: built.values };
    const outcome = await checkoutObject(c, id).pay(buyerPaymentCall(id, secret, c.get("requestId")), built.input);
    if (!outcome.ok) return afterRefusal(c, id, secret, page, outcome, form, locale);
    if (outcome.status === "authorized" || outcome.status === "failed") return finish(c, page, outcome.status, popup, locale);
    const error = {
      message: await declineMessage(c, page, outcome.decline_code, locale),
      // Issuer codes (51, 54, N7, 05) mean something to a card holder's bank; wallet reasons are in the message.
      ...(page.kind === "intent" && outcome.decline_code ? { decline_code: outcome.decline_code } : {}),
      attempts_remaining: outcome.attempts_remaining,
    };
    return showCheckout(c, page, { ...form, error }, locale, 422);
  }),
);

checkoutFormRoutes.use(
  "/checkout/:id/cancel",
  formRoute(async (c, body) => {
    const opened = await openCheckoutForm(c, body);
    if (opened instanceof Response) return opened;
    const { id, secret, popup, page, locale } = opened;
    const outcome = await checkoutObject(c, id).buyerCancel(buyerPaymentCall(id, secret, c.get("requestId")));
    if (!outcome.ok) return afterRefusal(c, id, secret, page, outcome, { popup }, locale);
    return finish(c, page, "canceled", popup, locale);
  }),
);
