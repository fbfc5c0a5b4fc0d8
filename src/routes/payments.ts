import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "../db/client";
import { listPayments, type PaymentRow } from "../db/payments";
import { toIsoSeconds } from "../domain/clock";
import { merchantAmount } from "../domain/payment-machine";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { defineRoute, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { replayable } from "../http/replay";
import {
  capturePayment,
  openPayment,
  refundPayment,
  voidPayment as voidPaymentAction,
  type PaymentActor,
} from "../services/payment-actions";
import { operationIdFor } from "../services/wallets";
import { Payment, Refund, RefundResult } from "./payment-schemas";
import { amount, metadata, Pagination, paginationOf, queryInstant, queryInteger, queryOptional, scopedIdParam } from "./schemas";
import { instantToSecondMs } from "../services/time";
import { requestCause } from "../http/request-context";
import { pick } from "../domain/pick";

// ---- Contract (docs/guides/payment-intents.md, "Capture, void and refunds") ----

const STATUSES = ["authorized", "captured", "partially_refunded", "refunded", "voided", "expired"] as const;
const paymentParams = scopedIdParam("pay_test_9f8a7b6c5d4e3f2a");

const PaymentSummary = Payment.pick({
  id: true,
  status: true,
  method: true,
  amount: true,
  currency: true,
  captured_amount: true,
  refunded_amount: true,
  net_amount: true,
  commission_amount: true,
  merchant_amount: true,
  checkout_id: true,
  created_at: true,
  updated_at: true,
}).openapi("PaymentSummary");

const list = defineRoute({
  method: "get",
  path: "/payments",
  operationId: "listPayments",
  tags: ["Payments"],
  summary: "Your payments, newest first; from an index that trails the payments by a few seconds at most",
  auth: "merchant",
  request: {
    query: z
      .strictObject({
        status: queryOptional(z.enum(STATUSES), { type: "string", enum: STATUSES }),
        from: queryInstant.openapi({ description: "Authorized at or after this instant" }),
        to: queryInstant.openapi({ description: "Authorized at or before this instant (the whole second)" }),
        page: queryInteger({ min: 1, max: 1_000_000, fallback: 1 }),
        per_page: queryInteger({ min: 1, max: 100, fallback: 20 }),
      })
      .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
        message: "`from` must not be after `to`",
        path: ["from"],
      }),
  },
  responses: { 200: success(z.object({ payments: z.array(PaymentSummary), pagination: Pagination }), "One page of payments") },
});

const read = defineRoute({
  method: "get",
  path: "/payments/{id}",
  operationId: "getPayment",
  tags: ["Payments"],
  summary: "A payment, from its object (never stale)",
  auth: "merchant",
  busyObject: true,
  request: { params: paymentParams },
  responses: { 200: success(Payment, "The payment") },
});

const capture = defineRoute({
  method: "post",
  path: "/payments/{id}/capture",
  operationId: "capturePayment",
  tags: ["Payments"],
  summary: "Capture an authorized payment, in full or in part (the rest is released); once",
  auth: "merchant",
  idempotent: true,
  busyObject: true,
  request: {
    params: paymentParams,
    body: jsonBody(
      z.strictObject({ amount: amount.optional().openapi({ description: "Omit to capture the full authorized amount" }) }),
      false,
    ),
  },
  responses: { 200: success(Payment, "Captured") },
});

const voidPayment = defineRoute({
  method: "post",
  path: "/payments/{id}/void",
  operationId: "voidPayment",
  tags: ["Payments"],
  summary: "Void an authorization: the buyer's funds are released",
  auth: "merchant",
  idempotent: true,
  busyObject: true,
  request: { params: paymentParams },
  responses: { 200: success(Payment, "Voided") },
});

const refundBody = z.strictObject({
  amount: amount.optional().openapi({ description: "Defaults to what remains: captured_amount - refunded_amount" }),
  reason: z.string().trim().min(1).max(256).openapi({ description: "Shown to the buyer and kept for your records" }),
  metadata: metadata.optional(),
});

const refundRoute = (path: string, operationId: string, summary: string) =>
  defineRoute({
    method: "post",
    path,
    operationId,
    tags: ["Payments"],
    summary,
    auth: "merchant",
    idempotent: true,
    busyObject: true,
    request: { params: paymentParams, body: jsonBody(refundBody) },
    responses: { 200: success(RefundResult, "Refunded") },
  });

const refund = refundRoute("/payments/{id}/refund", "refundPayment", "Refund a captured payment, in full or in part");
const gatewayRefund = refundRoute(
  "/gateway/payments/{id}/refund",
  "refundPaymentSigned",
  "The same refund, for callers that sign their requests with HMAC",
);

const refunds = defineRoute({
  method: "get",
  path: "/payments/{id}/refunds",
  operationId: "listRefunds",
  tags: ["Payments"],
  summary: "A payment's refunds, oldest first",
  auth: "merchant",
  busyObject: true,
  request: { params: paymentParams },
  responses: { 200: success(z.object({ refunds: z.array(Refund) }), "The refunds") },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const paymentRoutes = new OpenAPIHono<AppEnv>();

type PaymentOut = z.infer<typeof Payment>;

function actor(c: Context<AppEnv>): PaymentActor {
  return { env: c.env, merchant: c.get("merchant"), clock: c.get("clock"), cause: requestCause(c) };
}

const operationId = (c: Context<AppEnv>) => operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key"));

paymentRoutes.openapi(list, async (c) => {
  const query = c.req.valid("query");
  const { merchant_id, mode } = c.get("merchant");
  const filters = {
    status: query.status,
    from_ms: query.from ? instantToSecondMs(query.from) : undefined,
    to_ms: query.to ? instantToSecondMs(query.to) + 999 : undefined,
  };
  const page = await listPayments(database(c.env.DB), merchant_id, mode, filters, query.per_page, (query.page - 1) * query.per_page);
  const payments = await Promise.all(
    page.rows.map((r) => (r.commission_amount === null ? summaryFromObject(c, r.id) : summaryFromIndex(r, r.commission_amount))),
  );
  return c.json(
    ok({
      payments,
      pagination: paginationOf(query, page.total),
    }),
    200,
  );
});

type PaymentSummaryOut = z.infer<typeof PaymentSummary>;
const SUMMARY_FIELDS = PaymentSummary.keyof().options;

/** A row of the index as the list shows it: the same figures, by the same rules, as the payment itself. */
function summaryFromIndex(r: PaymentRow, commission_amount: number): PaymentSummaryOut {
  return {
    id: r.id,
    status: r.status as PaymentOut["status"],
    method: r.method,
    amount: r.amount,
    currency: r.currency as PaymentOut["currency"],
    captured_amount: r.captured_amount,
    refunded_amount: r.refunded_amount,
    net_amount: r.captured_amount - r.refunded_amount,
    commission_amount,
    // A captured top-up sent its amount on to the user's wallet: the settlement wallet kept the rest (paymentView does the same).
    merchant_amount:
      merchantAmount({ captured_amount: r.captured_amount, refunded_amount: r.refunded_amount, commission_amount }) -
      (r.top_up_amount !== null && r.captured_amount > 0 ? r.top_up_amount : 0),
    checkout_id: r.checkout_id,
    created_at: toIsoSeconds(r.created_at_ms),
    updated_at: toIsoSeconds(r.updated_at_ms),
  };
}

/**
 * A row without the commission (indexed by the version before the index kept it, and not filled by
 * the migration): the payment's own object answers, so the list never shows a figure it does not know.
 */
async function summaryFromObject(c: Context<AppEnv>, id: string): Promise<PaymentSummaryOut> {
  const { payment } = (await openPayment(actor(c), id)).found;
  return pick(payment, SUMMARY_FIELDS);
}

paymentRoutes.openapi(read, async (c) => {
  const { found } = await openPayment(actor(c), c.req.valid("param").id);
  return c.json(ok(found.payment as PaymentOut), 200);
});

paymentRoutes.openapi(capture, async (c) => {
  const input = { operation_id: await operationId(c), amount: c.req.valid("json").amount };
  const { payment, replayed } = await capturePayment(actor(c), c.req.valid("param").id, input);
  return replayable(replayed, c.json(ok(payment as PaymentOut), 200));
});

paymentRoutes.openapi(voidPayment, async (c) => {
  const { payment, replayed } = await voidPaymentAction(actor(c), c.req.valid("param").id, await operationId(c));
  return replayable(replayed, c.json(ok(payment as PaymentOut), 200));
});

async function refundHandler(c: Context<AppEnv>, id: string, input: z.infer<typeof refundBody>) {
  const { answer, replayed } = await refundPayment(actor(c), id, {
    operation_id: await operationId(c),
    amount: input.amount,
    reason: input.reason,
    metadata: (input.metadata ?? {}) as Record<string, string | number | boolean | null>,
  });
  return replayable(replayed, c.json(ok(answer as z.infer<typeof RefundResult>), 200));
}

paymentRoutes.openapi(refund, (c) => refundHandler(c, c.req.valid("param").id, c.req.valid("json")));
paymentRoutes.openapi(gatewayRefund, (c) => refundHandler(c, c.req.valid("param").id, c.req.valid("json")));

paymentRoutes.openapi(refunds, async (c) => {
  const { found } = await openPayment(actor(c), c.req.valid("param").id);
  return c.json(ok({ refunds: found.refunds as z.infer<typeof Refund>[] }), 200);
});

// The contract's types, as clients (and the tests) send and read them.
export type ListPaymentsResponse = ResponseDataOf<typeof list, 200>;
export type GetPaymentResponse = ResponseDataOf<typeof read, 200>;
export type CapturePaymentRequest = RequestBodyOf<typeof capture>;
export type CapturePaymentResponse = ResponseDataOf<typeof capture, 200>;
export type VoidPaymentResponse = ResponseDataOf<typeof voidPayment, 200>;
export type ListRefundsResponse = ResponseDataOf<typeof refunds, 200>;
