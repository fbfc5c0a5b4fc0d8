import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { objectKeyOf } from "../domain/ids";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { notFound } from "../domain/errors";
import { defineRoute, errors, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import type { PayInput } from "../payments/types";
import { buyerPaymentCall, paymentStub } from "../services/payments";
import { unwrap } from "../domain/outcome";

/**
 * The buyer's side of a checkout as JSON: what the hosted page submits, and what a native
 * app calls directly. The client secret is the credential; it lets the buyer pay or cancel this one
 * checkout and nothing else.
 */

// ---- Contract ---------------------------------------------------------------------------------

const checkoutParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "pi_9f8a7b6c5d4e3f2a", description: "A checkout session or payment intent id" }),
});
const client_secret = z.string().min(1).max(200).openapi({ description: "The checkout's client_secret" });

const card = z.strictObject({
  number: z.string().min(1).max(32).openapi({ example: "4242 4242 4242 4242" }),
  exp_month: z.number().int().min(1).max(12),
  exp_year: z.number().int().min(0).max(9999).openapi({ description: "Four digits, or two (this century)", example: 2027 }),
  cvc: z.string().min(1).max(8),
  name: z.string().trim().min(1).max(100),
});

export const PayBody = z.discriminatedUnion("method", [
  z.strictObject({
    client_secret,
    method: z.literal("wallet"),
    otp: z.string().min(1).max(12).openapi({ description: "The confirmation code; in sandbox always 123456" }),
  }),
  z.strictObject({ client_secret, method: z.literal("card"), card }),
]);

const PayAnswer = z
  .object({
    status: z.enum(["authorized", "declined", "failed"]),
    decline_code: z.string().optional().openapi({
      description: "51 insufficient funds, 54 expired card, N7 CVV mismatch, 05 declined; insufficient_funds or invalid_otp for wallets",
    }),
    message: z.string(),
    redirect_url: z
      .string()
      .optional()
      .openapi({
        description:
          "Where to send the buyer: success_url once authorized, cancel_url once failed; either with the checkout's id " +
          "(`{CHECKOUT_SESSION_ID}` replaced, `session_id=` or `payment_intent=` appended)",
      }),
    attempts_remaining: z.number().int(),
  })
  .openapi("PayAnswer");

const pay = defineRoute({
  method: "post",
  path: "/checkout/{id}/pay",
  operationId: "payCheckout",
  tags: ["Checkout"],
  summary: "Pay a checkout as the buyer (the hosted page's submit, also for native apps)",
  description:
    "Authenticated by the checkout's client_secret in the body. A declined card is a 200 with status `declined`; a mistyped card is a " +
    "422 `card_invalid` naming the field, and does not use up an attempt.",
  auth: "public",
  pageForms: true,
  request: { params: checkoutParams, body: jsonBody(PayBody) },
  responses: { 200: success(PayAnswer, "The attempt's answer"), ...errors(403, 404, 409) },
});

const cancel = defineRoute({
  method: "post",
  path: "/checkout/{id}/cancel",
  operationId: "cancelCheckoutAsBuyer",
  tags: ["Checkout"],
  summary: "Cancel a checkout as the buyer; answers where to send them (cancel_url, with the checkout's id)",
  auth: "public",
  pageForms: true,
  request: { params: checkoutParams, body: jsonBody(z.strictObject({ client_secret })) },
  responses: { 200: success(z.object({ status: z.literal("canceled"), redirect_url: z.string() }), "Canceled"), ...errors(403, 404) },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const payApiRoutes = new OpenAPIHono<AppEnv>();

/** The payment object of a session or intent id. */
export function checkoutObject(c: Context<AppEnv>, id: string) {
  const key = objectKeyOf(id, id.startsWith("pi_") ? "intent" : "session");
  if (!key) throw notFound("checkout", "id");
  return paymentStub(c.env, key);
}

export async function payCheckout(c: Context<AppEnv>, id: string, secret: string, input: PayInput) {
  const outcome = await checkoutObject(c, id).pay(buyerPaymentCall(id, secret, c.get("requestId")), input);
  const { ok: _, replayed: __, ...answer } = unwrap(outcome, { what: "checkout", param: "id" });
  return answer;
}

payApiRoutes.openapi(pay, async (c) => {
  const id = c.req.valid("param").id;
  const body = c.req.valid("json");
  const input: PayInput = body.method === "wallet" ? { method: "wallet", otp: body.otp } : { method: "card", card: body.card };
  return c.json(ok(await payCheckout(c, id, body.client_secret, input)), 200);
});

payApiRoutes.openapi(cancel, async (c) => {
  const id = c.req.valid("param").id;
  const outcome = await checkoutObject(c, id).buyerCancel(buyerPaymentCall(id, c.req.valid("json").client_secret, c.get("requestId")));
  const { redirect_url } = unwrap(outcome, { what: "checkout", param: "id" });
  return c.json(ok({ status: "canceled" as const, redirect_url }), 200);
});

// The contract's types, as clients (and the tests) send and read them.
export type PayCheckoutRequest = RequestBodyOf<typeof pay>;
export type PayCheckoutResponse = ResponseDataOf<typeof pay, 200>;
export type CancelCheckoutAsBuyerRequest = RequestBodyOf<typeof cancel>;
export type CancelCheckoutAsBuyerResponse = ResponseDataOf<typeof cancel, 200>;
