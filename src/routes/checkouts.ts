import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "../db/client";
import { checkoutIds, randomBase62 } from "../domain/ids";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { notFound } from "../http/errors";
import { defineRoute, errors, jsonBody, success } from "../http/openapi";
import { replayable } from "../http/replay";
import type { CheckoutView } from "../payments/views";
import { merchantPaymentCall, newObjectKey, paymentObjectFor, paymentStub, unwrapPayment } from "../services/payments";
import { operationIdFor, requireUser } from "../services/wallets";
import { CheckoutSession, PaymentIntent, redirectUrl } from "./payment-schemas";
import { amount, currency, description, externalId, metadata, scopedIdParam, withAmountLimit } from "./schemas";

// ---- Contract (spec/quickstart-checkout.txt steps 3–5, spec/payment-intents-quickstart.txt step 5) ----

const checkoutFields = {
  amount,
  currency,
  description: description.optional().openapi({ description: "Shown to the buyer on the hosted page" }),
  success_url: redirectUrl.openapi({ description: "Where the buyer goes after paying, with the checkout's id: `{CHECKOUT_SESSION_ID}` is replaced by it, and `session_id=` (sessions) or `payment_intent=` (intents) is appended unless present" }),
  cancel_url: redirectUrl.openapi({ description: "Where the buyer goes after cancelling, or when the checkout expired or failed; with the checkout's id, as for success_url" }),
  metadata: metadata.optional(),
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
  request: { body: jsonBody(withAmountLimit(z.strictObject({ external_user_id: externalId.openapi({ description: "The buyer: a user you synced" }), ...checkoutFields }))) },
  // The buyer named in the body may be unknown (or another merchant's): 404.
  responses: { 201: success(CheckoutSession, "Session opened"), ...errors(404) },
});

const readSession = defineRoute({
  method: "get",
  path: "/checkout/sessions/{id}",
  operationId: "getCheckoutSession",
  tags: ["Checkout"],
  summary: "A checkout session: open → authorized (with payment_id) | canceled | expired",
  auth: "merchant",
  busyObject: true,
  request: { params: scopedIdParam("cs_test_9f8a7b6c5d4e3f2a") },
  responses: { 200: success(CheckoutSession, "The session") },
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

const createIntent = defineRoute({
  method: "post",
  path: "/payment-intents",
  operationId: "createPaymentIntent",
  tags: ["Checkout"],
  summary: "Create a payment intent: the buyer pays by card on the hosted page (expires after 1 hour)",
  auth: "merchant",
  idempotent: true,
  busyObject: true,
  request: { body: jsonBody(withAmountLimit(z.strictObject(checkoutFields))) },
  responses: { 201: success(PaymentIntent, "Intent created") },
});

const readIntent = defineRoute({
  method: "get",
  path: "/payment-intents/{id}",
  operationId: "getPaymentIntent",
  tags: ["Checkout"],
  summary: "A payment intent: requires_payment_method → authorized (with payment_id) | canceled | expired | failed",
  auth: "merchant",
  busyObject: true,
  request: { params: scopedIdParam("pi_9f8a7b6c5d4e3f2a") },
  responses: { 200: success(PaymentIntent, "The intent") },
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

/** The object's view, typed as the route's schema (its status is the kind's own subset). */
type Session = z.infer<typeof CheckoutSession>;
type Intent = z.infer<typeof PaymentIntent>;

interface CheckoutInput {
  amount: number;
  currency: "IQD" | "USD";
  description?: string;
  success_url: string;
  cancel_url: string;
  metadata?: Record<string, string | number | boolean | null>;
}

function callOf(c: Context<AppEnv>) {
  return merchantPaymentCall(c.get("merchant"), c.get("clock"), { request_id: c.get("requestId"), idempotency_key: c.req.header("Idempotency-Key") });
}

/** An id routes to its object; the object's own id must be the one asked for (a session id is no intent's). */
function expectId<V>(view: CheckoutView, id: string, what: string): V {
  if (view.id !== id) throw notFound(what, "id");
  return view as unknown as V;
}

async function openCheckout(c: Context<AppEnv>, kind: "session" | "intent", input: CheckoutInput, buyer: { user_id: string; external_id: string; full_name: string; wallet_id: string } | null) {
  const merchant = c.get("merchant");
  const key = c.req.header("Idempotency-Key");
  const object_key = await newObjectKey(c.get("idempotencyScope"), key);
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
  });
  return unwrapPayment(result, { what: "checkout", param: "id" });
}

checkoutRoutes.openapi(createSession, async (c) => {
  const { external_user_id, ...input } = c.req.valid("json") as CheckoutInput & { external_user_id: string };
  const user = await requireUser(database(c.env.DB), c.get("merchant"), external_user_id, "external_user_id");
  const buyer = { user_id: user.id, external_id: user.external_id, full_name: user.full_name, wallet_id: user.wallet_id };
  const { checkout, replayed } = await openCheckout(c, "session", input, buyer);
  return replayable(replayed, c.json(ok(checkout as unknown as Session), 201));
});

checkoutRoutes.openapi(readSession, async (c) => {
  const id = c.req.valid("param").id;
  const { checkout } = unwrapPayment(await paymentObjectFor(c.env, id, "session").retrieve(callOf(c)), { what: "checkout session", param: "id" });
  return c.json(ok(expectId<Session>(checkout, id, "checkout session")), 200);
});

checkoutRoutes.openapi(expireSession, async (c) => {
  const id = c.req.valid("param").id;
  const stub = paymentObjectFor(c.env, id, "session");
  expectId(unwrapPayment(await stub.retrieve(callOf(c)), { what: "checkout session", param: "id" }).checkout, id, "checkout session");
  const operation_id = await operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key"));
  const { checkout, replayed } = unwrapPayment(await stub.expire(callOf(c), operation_id), { what: "checkout session", param: "id" });
  return replayable(replayed, c.json(ok(checkout as unknown as Session), 200));
});

checkoutRoutes.openapi(createIntent, async (c) => {
  const { checkout, replayed } = await openCheckout(c, "intent", c.req.valid("json") as CheckoutInput, null);
  return replayable(replayed, c.json(ok(checkout as unknown as Intent), 201));
});

checkoutRoutes.openapi(readIntent, async (c) => {
  const id = c.req.valid("param").id;
  const { checkout } = unwrapPayment(await paymentObjectFor(c.env, id, "intent").retrieve(callOf(c)), { what: "payment intent", param: "id" });
  return c.json(ok(expectId<Intent>(checkout, id, "payment intent")), 200);
});

checkoutRoutes.openapi(cancelIntent, async (c) => {
  const id = c.req.valid("param").id;
  const stub = paymentObjectFor(c.env, id, "intent");
  expectId(unwrapPayment(await stub.retrieve(callOf(c)), { what: "payment intent", param: "id" }).checkout, id, "payment intent");
  const operation_id = await operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key"));
  const { checkout, replayed } = unwrapPayment(await stub.cancel(callOf(c), operation_id), { what: "payment intent", param: "id" });
  return replayable(replayed, c.json(ok(checkout as unknown as Intent), 200));
});
