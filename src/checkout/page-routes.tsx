import { Hono, type Context, type Next } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { JSX } from "hono/jsx/jsx-runtime";
import { secureHeaders } from "hono/secure-headers";
import { CARD_PROBLEM_MESSAGES } from "../domain/card-simulator";
import { objectKeyOf } from "../domain/ids";
import { cancelRedirect, successRedirect } from "../domain/redirects";
import type { AppEnv } from "../http/context";
import { ApiError } from "../domain/errors";
import type { Refusal } from "../domain/outcome";
import type { PayInput, PaymentRefusalCode } from "../payments/types";
import { buyerPaymentCall } from "../services/payments";
import { walletStub } from "../services/wallets";
import { ASSETS, IMMUTABLE_CACHE } from "./assets";
import { checkoutObject } from "./pay-api";
import {
  CheckoutPage,
  ForeignFormPage,
  InvalidLinkPage,
  MessagePage,
  NotFoundPage,
  renderDocument,
  ResultPage,
  type CardField,
  type CheckoutPageData,
  type FormState,
} from "./page";
import { CHECKOUT_JS, POPUP_PARAM, SNIPPET_CACHE } from "./snippet";

/**
 * The hosted checkout page (GET /checkout/{id}?client_secret=…), its HTML form posts, its static
 * files and checkout.js. The forms post to the same paths as the JSON buyer API (pay-api.ts): a
 * form body is handled here, anything else goes on to the JSON handlers.
 *
 * The client secret is the credential, as in the JSON API: without it a page shows nothing of the
 * payment. Card numbers and CVVs go from the form to the payment object and nowhere else: they are
 * not logged, not stored here and not written back into a page.
 */

export const checkoutPageRoutes = new Hono<AppEnv>();

// ---- Headers ----------------------------------------------------------------------------------

type Directives = Record<string, string[]>;

function cspDirectives(form_origins: string[]): Directives {
  return {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    // Chrome checks form-action on the redirect after a form post too: the merchant's
    // success_url and cancel_url origins are where our 303s go.
    formAction: ["'self'", ...form_origins],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  };
}

function cspHeader(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name.replace(/[A-Z]/g, (letter) => "-" + letter.toLowerCase())} ${values.join(" ")}`)
    .join("; ");
}

function origin(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.origin : null;
  } catch {
    return null;
  }
}

const secure = secureHeaders({
  // A page that knows its checkout sets its own CSP (with the merchant's origins in form-action);
  // every other page gets this one.
  contentSecurityPolicy: cspDirectives([]),
  xFrameOptions: "DENY",
  referrerPolicy: "no-referrer",
  // The popup must keep its opener (the merchant's page) to hand it the result; the default
  // `same-origin` would sever it.
  crossOriginOpenerPolicy: false,
  overwrite: false,
});

/** Every page: the security headers and no caching (the URL carries the client secret). */
const pageHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await secure(c, next);
  c.res.headers.set("Cache-Control", "no-store");
});

function setCheckoutCsp(c: Context<AppEnv>, checkout: { success_url: string; cancel_url: string }): void {
  const origins = [...new Set([origin(checkout.success_url), origin(checkout.cancel_url)].filter((o): o is string => o !== null))];
  c.header("Content-Security-Policy", cspHeader(cspDirectives(origins)));
}

// ---- Loading a checkout -----------------------------------------------------------------------

const MAX_SECRET_LENGTH = 200;

async function readPage(c: Context<AppEnv>, id: string, secret: string) {
  return checkoutObject(c, id).page(buyerPaymentCall(id, secret, c.get("requestId")));
}
type PageAnswer = Extract<Awaited<ReturnType<typeof readPage>>, { ok: true }>;
type Loaded = { ok: true; page: PageAnswer } | { ok: false; code: "not_found" | "client_secret_invalid" };

async function loadCheckout(c: Context<AppEnv>, id: string, secret: string): Promise<Loaded> {
  if (!objectKeyOf(id, id.startsWith("pi_") ? "intent" : "session")) return { ok: false, code: "not_found" };
  if (secret.length > MAX_SECRET_LENGTH) return { ok: false, code: "client_secret_invalid" };
  const answer = await readPage(c, id, secret);
  if (!answer.ok) return { ok: false, code: answer.code === "client_secret_invalid" ? "client_secret_invalid" : "not_found" };
  // An id routes to its object by its key; a session id is no intent's (and the reverse).
  if (answer.checkout.id !== id) return { ok: false, code: "not_found" };
  return { ok: true, page: answer as PageAnswer };
}

/** The buyer's available balance in the checkout's currency; the page still works without it. */
async function buyerAvailable(c: Context<AppEnv>, page: PageAnswer): Promise<number | null> {
  if (!page.buyer) return null;
  try {
    const outcome = await walletStub(c.env, page.buyer.wallet_id).balances({
      wallet_id: page.buyer.wallet_id,
      now_ms: Date.now(),
      owner: { merchant_id: page.merchant_id, mode: page.mode },
      owner_verified: true,
    });
    if (!outcome.ok) return null;
    return outcome.balances.find((b) => b.currency === page.checkout.currency)?.available ?? 0;
  } catch (error) {
    console.error(JSON.stringify({ request_id: c.get("requestId"), checkout_balance_unavailable: String(error) }));
    return null;
  }
}

// ---- Responses --------------------------------------------------------------------------------

async function html(c: Context<AppEnv>, node: JSX.Element, status: ContentfulStatusCode = 200): Promise<Response> {
  return c.html(await renderDocument(node), status);
}

/**
 * A failure as a page, not the API's JSON: a busy object (429, with its Retry-After) or a bug,
 * logged as the app's error handler logs it (never a request body).
 */
async function failurePage(c: Context<AppEnv>, error: unknown): Promise<Response> {
  const known = error instanceof ApiError && error.status < 500 ? error : null;
  if (!known)
    console.error(
      JSON.stringify({ request_id: c.get("requestId"), error: String(error), stack: error instanceof Error ? error.stack : undefined }),
    );
  const res =
    known?.status === 429
      ? await html(
          c,
          <MessagePage title="The checkout is busy" message="Too many payments are being made at once. Please try again in a moment." />,
          429,
        )
      : await html(
          c,
          <MessagePage
            title="Something went wrong"
            message={`The checkout could not answer just now. Please try again in a moment. (Reference ${c.get("requestId")})`}
          />,
          known?.status ?? 500,
        );
  for (const [name, value] of Object.entries(known?.headers ?? {})) res.headers.set(name, value);
  return res;
}

function refusedPage(c: Context<AppEnv>, code: "not_found" | "client_secret_invalid"): Promise<Response> {
  return code === "not_found" ? html(c, <NotFoundPage />, 404) : html(c, <InvalidLinkPage />, 403);
}

const isOpenStatus = (status: string) => status === "open" || status === "requires_payment_method";

/**
 * The end of a checkout: a 303 to the merchant (its success or cancel redirect, naming the
 * checkout), or in a popup the result page, which posts the result to the merchant's page (the
 * origin of its success_url, exactly) and closes.
 */
function finish(
  c: Context<AppEnv>,
  page: PageAnswer,
  status: "authorized" | "canceled" | "failed",
  popup: boolean,
): Promise<Response> | Response {
  setCheckoutCsp(c, page.checkout);
  const checkout = { ...page.checkout, kind: page.kind };
  const redirect_url = status === "authorized" ? successRedirect(checkout) : cancelRedirect(checkout);
  if (!popup) return c.redirect(redirect_url, 303);
  const target_origin = origin(page.checkout.success_url) ?? "";
  return html(
    c,
    <ResultPage
      status={status}
      id={page.checkout.id}
      redirect_url={redirect_url}
      target_origin={target_origin}
      merchant_name={page.merchant_name}
    />,
  );
}

/** A checkout that is no longer open sends the buyer where it ended: success, or cancel_url. */
function finishClosed(c: Context<AppEnv>, page: PageAnswer, popup: boolean): Promise<Response> | Response {
  const { status } = page.checkout;
  return finish(c, page, status === "authorized" ? "authorized" : status === "failed" ? "failed" : "canceled", popup);
}

async function showCheckout(c: Context<AppEnv>, page: PageAnswer, form: FormState, status: 200 | 409 | 422 = 200): Promise<Response> {
  const available = page.kind === "session" && page.mode === "sandbox" ? await buyerAvailable(c, page) : null;
  const data: CheckoutPageData = {
    checkout: page.checkout,
    kind: page.kind,
    mode: page.mode,
    merchant_name: page.merchant_name,
    buyer: page.buyer ? { full_name: page.buyer.full_name, available } : null,
  };
  setCheckoutCsp(c, page.checkout);
  return html(c, <CheckoutPage data={data} form={form} />, status);
}

// ---- The page ---------------------------------------------------------------------------------

checkoutPageRoutes.get("/checkout/:id", pageHeaders, async (c) => {
  try {
    const loaded = await loadCheckout(c, c.req.param("id"), c.req.query("client_secret") ?? "");
    if (!loaded.ok) return await refusedPage(c, loaded.code);
    const popup = c.req.query(POPUP_PARAM) === "1";
    if (!isOpenStatus(loaded.page.checkout.status)) return await finishClosed(c, loaded.page, popup);
    return await showCheckout(c, loaded.page, { popup });
  } catch (error) {
    return failurePage(c, error);
  }
});

// ---- The form posts ---------------------------------------------------------------------------

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
        c.res = await html(c, <ForeignFormPage />, 403);
        return;
      }
      try {
        const raw = await c.req.parseBody();
        const body: Record<string, string> = {};
        for (const [name, value] of Object.entries(raw)) if (typeof value === "string") body[name] = value;
        c.res = await handler(c, body);
      } catch (error) {
        c.res = await failurePage(c, error);
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

type Built = { input: PayInput; values?: FormState["values"] } | { form: FormState };

/** The attempt as the payment object takes it, or the field the buyer must fix first (no attempt used). */
function buildInput(page: PageAnswer, body: Record<string, string>, popup: boolean): Built {
  if (page.kind === "session") {
    const otp = (body.otp ?? "").trim();
    if (otp.length === 0 || otp.length > 12) return { form: { popup, field_errors: { otp: "Enter the 6-digit confirmation code." } } };
    return { input: { method: "wallet", otp } };
  }
  const name = (body.card_name ?? "").trim();
  const expiry = (body.card_expiry ?? "").trim();
  const values = { card_name: name.slice(0, 100), card_expiry: expiry.slice(0, 7) };
  const number = body.card_number ?? "";
  const cvc = (body.card_cvc ?? "").trim();
  const wrong = (field: CardField, message: string): Built => ({ form: { popup, values, field_errors: { [field]: message } } });
  if (number.length > 32) return wrong("card_number", CARD_PROBLEM_MESSAGES.invalid_number);
  if (name.length > 100) return wrong("card_name", "The name on the card is at most 100 characters.");
  if (cvc.length > 8) return wrong("card_cvc", CARD_PROBLEM_MESSAGES.invalid_cvc);
  const parsed = parseExpiry(expiry);
  if (!parsed) return wrong("card_expiry", CARD_PROBLEM_MESSAGES.invalid_expiry);
  return { input: { method: "card", card: { number, exp_month: parsed.exp_month, exp_year: parsed.exp_year, cvc, name } }, values };
}

async function afterRefusal(
  c: Context<AppEnv>,
  id: string,
  secret: string,
  page: PageAnswer,
  refusal: Refusal<PaymentRefusalCode>,
  form: FormState,
): Promise<Response> {
  if (refusal.code === "not_found" || refusal.code === "client_secret_invalid") return refusedPage(c, refusal.code);
  if (refusal.code === "card_invalid") {
    const field = FIELD_OF_PARAM[refusal.param ?? ""] ?? "card_number";
    return showCheckout(c, page, { ...form, field_errors: { [field]: refusal.message } }, 422);
  }
  // The checkout may have ended meanwhile (paid in another tab, expired, out of attempts).
  const reloaded = await loadCheckout(c, id, secret);
  if (!reloaded.ok) return refusedPage(c, reloaded.code);
  if (!isOpenStatus(reloaded.page.checkout.status)) return finishClosed(c, reloaded.page, form.popup);
  return showCheckout(
    c,
    reloaded.page,
    { ...form, error: { message: refusal.message } },
    refusal.code === "attempt_in_progress" ? 409 : 422,
  );
}

checkoutPageRoutes.use(
  "/checkout/:id/pay",
  formRoute(async (c, body) => {
    const id = c.req.param("id") ?? "";
    const secret = body.client_secret ?? "";
    const popup = body.popup === "1";
    const loaded = await loadCheckout(c, id, secret);
    if (!loaded.ok) return refusedPage(c, loaded.code);
    const page = loaded.page;
    if (!isOpenStatus(page.checkout.status)) return finishClosed(c, page, popup);
    if (page.mode === "live") return showCheckout(c, page, { popup });

    const built = buildInput(page, body, popup);
    if ("form" in built) return showCheckout(c, page, built.form, 422);
    const form: FormState = { popup, values: built.values };
    const outcome = await checkoutObject(c, id).pay(buyerPaymentCall(id, secret, c.get("requestId")), built.input);
    if (!outcome.ok) return afterRefusal(c, id, secret, page, outcome, form);
    if (outcome.status === "authorized" || outcome.status === "failed") return finish(c, page, outcome.status, popup);
    const error = {
      message: outcome.message,
      // Issuer codes (51, 54, N7, 05) mean something to a card holder's bank; wallet reasons are in the message.
      ...(page.kind === "intent" && outcome.decline_code ? { decline_code: outcome.decline_code } : {}),
      attempts_remaining: outcome.attempts_remaining,
    };
    return showCheckout(c, page, { ...form, error }, 422);
  }),
);

checkoutPageRoutes.use(
  "/checkout/:id/cancel",
  formRoute(async (c, body) => {
    const id = c.req.param("id") ?? "";
    const secret = body.client_secret ?? "";
    const popup = body.popup === "1";
    const loaded = await loadCheckout(c, id, secret);
    if (!loaded.ok) return refusedPage(c, loaded.code);
    if (!isOpenStatus(loaded.page.checkout.status)) return finishClosed(c, loaded.page, popup);
    const outcome = await checkoutObject(c, id).buyerCancel(buyerPaymentCall(id, secret, c.get("requestId")));
    if (!outcome.ok) return afterRefusal(c, id, secret, loaded.page, outcome, { popup });
    return finish(c, loaded.page, "canceled", popup);
  }),
);

// ---- Static files -----------------------------------------------------------------------------

const ASSET_FILES = new Map(Object.entries(ASSETS));

checkoutPageRoutes.get("/checkout/assets/:file", (c) => {
  const asset = ASSET_FILES.get(c.req.param("file"));
  if (!asset) return c.text("Not found", 404, { "Cache-Control": "no-store" });
  return c.body(asset.body, 200, {
    "Content-Type": asset.content_type,
    "Cache-Control": IMMUTABLE_CACHE,
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "same-origin",
  });
});

// Loaded by merchants' pages from their own origins: cross-origin resource policy allows it.
checkoutPageRoutes.get("/checkout.js", (c) =>
  c.body(CHECKOUT_JS, 200, {
    "Content-Type": "text/javascript; charset=utf-8",
    "Cache-Control": SNIPPET_CACHE,
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Access-Control-Allow-Origin": "*",
  }),
);
