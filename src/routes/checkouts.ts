import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "../db/client";
import { CHECKOUT_LOCALES, type Buyer, type CheckoutLocale } from "../domain/checkout-machine";
import { FEE_BEARERS, type TopUp } from "../domain/top-up";
import { prepareTopUp } from "../services/top-ups";
import { checkoutIds, randomBase62 } from "../domain/ids";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { ApiError, notFound } from "../domain/errors";
import { browserCors, defineRoute, errors, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { replayable } from "../http/replay";
import type { PaymentCall } from "../payments/types";
import { newObjectKey } from "../services/object-keys";
import { merchantPaymentCall, paymentObjectFor, paymentStub } from "../services/payments";
import { operationIdFor, requireUser } from "../services/wallets";
import { CheckoutSession, CheckoutSessionBrowserView, PaymentIntent, PaymentIntentBrowserView, redirectUrl } from "./payment-schemas";
import { amount, currency, description, externalId, metadata, scopedIdParam, withAmountLimit } from "./schemas";
import { requestCause } from "../http/request-context";
import { unwrap } from "../domain/outcome";

// ---- Contract (docs/guides/checkout.md, docs/guides/payment-intents.md) ----

const checkoutFields = {
  amount,
  currency,
  description: description.optional().openapi({ description: "Shown to the buyer on the hosted page" }),
  success_url: redirectUrl.openapi({
    description:
      "Where the buyer goes after paying, with the checkout's id: `{CHECKOUT_SESSION_ID}` is replaced by it, and `session_id=` " +
      "(sessions) or `payment_intent=` (intents) is appended unless present",
  }),
  cancel_url: redirectUrl.openapi({
    description:
      "Where the buyer goes after cancelling, or when the checkout expired or failed; with the checkout's id, as for success_url",
  }),
  metadata: metadata.optional(),
  locale: z
    .enum(CHECKOUT_LOCALES)
    .optional()
    .openapi({
      description:
        "The hosted page's language: `ar` (Arabic, right to left), `en`, or `auto` (the default: the buyer's Accept-Language, " +
        "English when it asks for neither). The buyer can switch on the page.",
      example: "ar",
    }),
};

const createSession = defineRoute({
  method: "post",
  path: "/checkout/sessions",
  operationId: "createCheckoutSession",
  tags: ["Checkout"],
  summary: "Open a checkout session: a synced user pays from their wallet on the hosted page (open 24 hours)",
  auth: "merchant",
  idempotent: true,
  busyObject: true,
  request: {
    body: jsonBody(
      withAmountLimit(
        z.strictObject({ external_user_id: externalId.openapi({ description: "The buyer: a user you synced" }), ...checkoutFields }),
      ),
    ),
  },
  // The buyer named in the body may be unknown (or another merchant's): 404.
  responses: { 201: success(CheckoutSession, "Session opened"), ...errors(404) },
});

/**
 * The two reads a browser may make from the merchant's page: with the publishable key and the
 * checkout's own client_secret, the restricted view (payments/views.ts, checkoutBrowserView).
 */
const browserRead = {
  auth: "merchant_or_publishable" as const,
  description:
    "With your secret key (or a signed request): the whole object. With your publishable key (`Authorization: Bearer pk_…`) and the " +
    "checkout's `client_secret` in the query — what checkout.js's `MazadCheckout.retrieve` sends from your page — " +
    "the restricted view: " +
    "id, object, status, amount, currency, expires_at, payment_id, attempts_remaining (intents) and redirect_url. " +
    "A publishable key of another merchant or mode gets 404; a wrong client_secret 403 `client_secret_invalid`. " +
    "Answers CORS (any origin, GET, the Authorization header).",
};
const clientSecretQuery = z.strictObject({
  client_secret: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: "The checkout's client_secret: required with a publishable key, refused with a secret key or a signature" }),
});

const readSession = defineRoute({
  method: "get",
  path: "/checkout/sessions/{id}",
  operationId: "getCheckoutSession",
  tags: ["Checkout"],
  summary: "A checkout session: open → authorized (with payment_id) | canceled | expired",
  ...browserRead,
  busyObject: true,
  request: { params: scopedIdParam("cs_test_9f8a7b6c5d4e3f2a"), query: clientSecretQuery },
  responses: {
    200: success(z.union([CheckoutSession, CheckoutSessionBrowserView]), "The session (the restricted view for a publishable key)"),
  },
});

const expireSession = defineRoute({
  method: "post",
  path: "/checkout/sessions/{id}/expire",
  operationId: "expireCheckoutSession",
  tags: ["Checkout"],
  summary: "Expire an open session, so it can no longer be paid",
  auth: "merchant",
  idempotent: true,
  busyObject: true,
  request: { params: scopedIdParam("cs_test_9f8a7b6c5d4e3f2a") },
  responses: { 200: success(CheckoutSession, "The expired session") },
});

const topUpFields = {
  purpose: z
    .enum(["payment", "wallet_top_up"])
    .optional()
    .openapi({ description: "`payment` (the default) pays you; `wallet_top_up` credits the buyer's wallet (`external_user_id`)" }),
  external_user_id: externalId.optional().openapi({ description: "The user whose wallet a `wallet_top_up` credits" }),
  fee_bearer: z
    .enum(FEE_BEARERS)
    .optional()
    .openapi({ description: "Who pays a top-up's fee: `buyer` (on top of the top-up, the default) or `merchant`" }),
};

/** A top-up names its user; the user and the fee's bearer mean nothing on a payment. */
const intentBody = z.strictObject({ ...checkoutFields, ...topUpFields }).superRefine((body, ctx) => {
  if (body.purpose === "wallet_top_up") {
    if (body.external_user_id === undefined)
      ctx.addIssue({ code: "custom", path: ["external_user_id"], message: "a wallet_top_up names the user whose wallet it credits" });
    return;
  }
  for (const field of ["external_user_id", "fee_bearer"] as const) {
    if (body[field] !== undefined) ctx.addIssue({ code: "custom", path: [field], message: `${field} goes with purpose: "wallet_top_up"` });
  }
});

const createIntent = defineRoute({
  method: "post",
  path: "/payment-intents",
  operationId: "createPaymentIntent",
  tags: ["Checkout"],
  summary: "Create a payment intent: the buyer pays by card on the hosted page (expires after 1 hour)",
  auth: "merchant",
  idempotent: true,
  busyObject: true,
  description:
    "With `purpose: \"wallet_top_up\"` and the buyer's `external_user_id`, the card payment tops up the buyer's wallet: it is " +
    "captured the moment the card is approved, and `amount` is credited to the wallet. The fee (your commission on `amount`) is " +
    'paid by the buyer on top (`fee_bearer: "buyer"`, the default: the intent\'s `amount` is then the top-up plus the fee) or ' +
    'out of your settlement balance (`"merchant"`). Refused with 422 `limit_exceeded` when the buyer\'s KYC level does not ' +
    "allow the top-up today.",
  request: { body: jsonBody(withAmountLimit(intentBody)) },
  responses: { 201: success(PaymentIntent, "Intent created"), ...errors(404) },
});

const readIntent = defineRoute({
  method: "get",
  path: "/payment-intents/{id}",
  operationId: "getPaymentIntent",
  tags: ["Checkout"],
  summary: "A payment intent: requires_payment_method → authorized (with payment_id) | canceled | expired | failed",
  ...browserRead,
  busyObject: true,
  request: { params: scopedIdParam("pi_9f8a7b6c5d4e3f2a"), query: clientSecretQuery },
  responses: { 200: success(z.union([PaymentIntent, PaymentIntentBrowserView]), "The intent (the restricted view for a publishable key)") },
});

const cancelIntent = defineRoute({
  method: "post",
  path: "/payment-intents/{id}/cancel",
  operationId: "cancelPaymentIntent",
  tags: ["Checkout"],
  summary: "Cancel a payment intent that is not yet paid",
  auth: "merchant",
  idempotent: true,
  busyObject: true,
  request: { params: scopedIdParam("pi_9f8a7b6c5d4e3f2a") },
  responses: { 200: success(PaymentIntent, "The canceled intent") },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const checkoutRoutes = new OpenAPIHono<AppEnv>();

// The browser's reads answer the merchant's page on its own origin (preflight included); nothing else here does.
for (const route of [readSession, readIntent]) checkoutRoutes.use(route.getRoutingPath(), browserCors);

/** The object's view, typed as the route's schema (its status is the kind's own subset). */
type Session = z.infer<typeof CheckoutSession>;
type Intent = z.infer<typeof PaymentIntent>;
type SessionForBrowser = z.infer<typeof CheckoutSessionBrowserView>;
type IntentForBrowser = z.infer<typeof PaymentIntentBrowserView>;

interface CheckoutInput {
  amount: number;
  currency: "IQD" | "USD";
  description?: string;
  success_url: string;
  cancel_url: string;
  metadata?: Record<string, string | number | boolean | null>;
  locale?: CheckoutLocale;
}

function callOf(c: Context<AppEnv>) {
  return merchantPaymentCall(c.get("merchant"), c.get("clock"), requestCause(c));
}

/** An id routes to its object; the object's own id must be the one asked for (a session id is no intent's). */
function expectId<V>(view: { id: string }, id: string, what: string): V {
  if (view.id !== id) throw notFound(what, "id");
  return view as unknown as V;
}

/** Whether the request's Idempotency-Key already created a checkout (its object knows the operation). */
async function createdBefore(c: Context<AppEnv>): Promise<boolean> {
  const key = c.req.header("Idempotency-Key");
  if (key === undefined) return false;
  const scope = c.get("idempotencyScope");
  return paymentStub(c.env, await newObjectKey("checkout", scope, key)).knows(await operationIdFor(scope, key));
}

async function openCheckout(
  c: Context<AppEnv>,
  kind: "session" | "intent",
  input: CheckoutInput,
  buyer: Buyer | null,
  top_up: TopUp | null = null,
) {
  const merchant = c.get("merchant");
  const key = c.req.header("Idempotency-Key");
  const object_key = await newObjectKey("checkout", c.get("idempotencyScope"), key);
  const ids = checkoutIds(object_key, merchant.mode);
  const id = kind === "session" ? ids.session : ids.intent;
  const client_secret = `${id}_secret_${randomBase62(24)}`;
  const result = await paymentStub(c.env, object_key).create(callOf(c), {
    operation_id: await operationIdFor(c.get("idempotencyScope"), key),
    kind,
    id,
    merchant_id: merchant.merchant_id,
    merchant_name: merchant.merchant_name,
    mode: merchant.mode,
    amount: input.amount,
    currency: input.currency,
    description: input.description ?? null,
    metadata: input.metadata ?? {},
    success_url: input.success_url,
    cancel_url: input.cancel_url,
    client_secret,
    checkout_url: `${new URL(c.req.url).origin}/checkout/${id}?client_secret=${encodeURIComponent(client_secret)}`,
    buyer,
    top_up,
    locale: input.locale ?? "auto",
  });
  return unwrap(result, { what: "checkout", param: "id" });
}

checkoutRoutes.openapi(createSession, async (c) => {
  const { external_user_id, ...input } = c.req.valid("json") as CheckoutInput & { external_user_id: string };
  const user = await requireUser(database(c.env.DB), c.get("merchant"), external_user_id, "external_user_id");
  const buyer = { user_id: user.id, external_id: user.external_id, full_name: user.full_name, wallet_id: user.wallet_id };
  const { checkout, replayed } = await openCheckout(c, "session", input, buyer);
  return replayable(replayed, c.json(ok(checkout as unknown as Session), 201));
});

/**
 * A read by the merchant's server (the whole object), or by a browser with the publishable key and
 * the client secret (the restricted view). The client_secret is refused with a secret key: a server
 * sending it expects it checked, and a wrong one must not pass silently.
 */
async function readCheckout(c: Context<AppEnv>, id: string, client_secret: string | undefined, kind: "session" | "intent") {
  const what = kind === "session" ? "checkout session" : "payment intent";
  if (c.get("merchant").key_type === "publishable") {
    if (client_secret === undefined) {
      throw new ApiError(
        "parameter_missing",
        "With a publishable key, send the checkout's client_secret as a query parameter.",
        "client_secret",
      );
    }
    const call: PaymentCall = { ...callOf(c), checkout_id: id, client_secret };
    const { checkout } = unwrap(await paymentObjectFor(c.env, id, kind).browserView(call), { what, param: "id" });
    return expectId<typeof checkout>(checkout, id, what);
  }
  if (client_secret !== undefined) {
    throw new ApiError(
      "parameter_unknown",
      "client_secret goes with a publishable key; with your secret key or a signature, read the checkout without it.",
      "client_secret",
    );
  }
  const { checkout } = unwrap(await paymentObjectFor(c.env, id, kind).retrieve(callOf(c)), { what, param: "id" });
  return expectId<typeof checkout>(checkout, id, what);
}

/**
 * Expires a session or cancels an intent: the id must be this kind's own (another kind's id of the
 * same checkout is a 404), checked before the key is spent.
 */
async function closeCheckout(
  c: Context<AppEnv>,
  id: string,
  kind: "session" | "intent",
  close: (stub: PaymentStub, operation_id: string) => Promise<CheckoutOutcome>,
) {
  const missing = { what: kind === "session" ? "checkout session" : "payment intent", param: "id" };
  const stub = paymentObjectFor(c.env, id, kind);
  expectId(unwrap(await stub.retrieve(callOf(c)), missing).checkout, id, missing.what);
  const operation_id = await operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key"));
  return unwrap(await close(stub, operation_id), missing);
}
type PaymentStub = ReturnType<typeof paymentObjectFor>;
type CheckoutOutcome = Awaited<ReturnType<PaymentStub["expire"]>>;

checkoutRoutes.openapi(readSession, async (c) => {
  const checkout = await readCheckout(c, c.req.valid("param").id, c.req.valid("query").client_secret, "session");
  return c.json(ok(checkout as unknown as Session | SessionForBrowser), 200);
});

checkoutRoutes.openapi(expireSession, async (c) => {
  const id = c.req.valid("param").id;
  const checkout = await closeCheckout(c, id, "session", (stub, operation_id) => stub.expire(callOf(c), operation_id));
  return replayable(checkout.replayed, c.json(ok(checkout.checkout as unknown as Session), 200));
});

checkoutRoutes.openapi(createIntent, async (c) => {
  const { purpose, external_user_id, fee_bearer, ...input } = c.req.valid("json") as CheckoutInput &
    z.infer<z.ZodObject<typeof topUpFields>>;
  if (purpose !== "wallet_top_up" || external_user_id === undefined) {
    const { checkout, replayed } = await openCheckout(c, "intent", input, null);
    return replayable(replayed, c.json(ok(checkout as unknown as Intent), 201));
  }
  const asked = { external_user_id, amount: input.amount, currency: input.currency, fee_bearer: fee_bearer ?? "buyer" };
  // A retry of a create that was answered replays that answer, even if the allowance has been used since.
  const check_allowance = !(await createdBefore(c));
  const { buyer, top_up, charge } = await prepareTopUp(
    c.env,
    database(c.env.DB),
    c.get("merchant"),
    c.get("clock"),
    asked,
    check_allowance,
  );
  const { checkout, replayed } = await openCheckout(c, "intent", { ...input, amount: charge }, buyer, top_up);
  return replayable(replayed, c.json(ok(checkout as unknown as Intent), 201));
});

checkoutRoutes.openapi(readIntent, async (c) => {
  const checkout = await readCheckout(c, c.req.valid("param").id, c.req.valid("query").client_secret, "intent");
  return c.json(ok(checkout as unknown as Intent | IntentForBrowser), 200);
});

checkoutRoutes.openapi(cancelIntent, async (c) => {
  const id = c.req.valid("param").id;
  const checkout = await closeCheckout(c, id, "intent", (stub, operation_id) => stub.cancel(callOf(c), operation_id));
  return replayable(checkout.replayed, c.json(ok(checkout.checkout as unknown as Intent), 200));
});

// The contract's types, as clients (and the tests) send and read them.
export type CreateCheckoutSessionRequest = RequestBodyOf<typeof createSession>;
export type CreateCheckoutSessionResponse = ResponseDataOf<typeof createSession, 201>;
export type GetCheckoutSessionResponse = ResponseDataOf<typeof readSession, 200>;
export type ExpireCheckoutSessionResponse = ResponseDataOf<typeof expireSession, 200>;
export type CreatePaymentIntentRequest = RequestBodyOf<typeof createIntent>;
export type CreatePaymentIntentResponse = ResponseDataOf<typeof createIntent, 201>;
export type GetPaymentIntentResponse = ResponseDataOf<typeof readIntent, 200>;
export type CancelPaymentIntentResponse = ResponseDataOf<typeof cancelIntent, 200>;
