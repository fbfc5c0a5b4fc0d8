import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "../db/client";
import { ApiError } from "../domain/errors";
import { payoutId } from "../domain/ids";
import { unwrap } from "../domain/outcome";
import { ibanProblem, normalizeIban } from "../domain/iban";
import { IRAQI_MOBILE, MOBILE_WALLET_PROVIDERS } from "../domain/payout-destination";
import { PAYOUT_STATUSES } from "../domain/payout-machine";
import { PAYOUT_FAILURE_CODES } from "../domain/sandbox-rail";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { defineRoute, errors, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { replayable } from "../http/replay";
import { requestCause } from "../http/request-context";
import { newObjectKey } from "../services/object-keys";
import { cancelPayout, listPayoutPage, merchantPayoutCall, payoutFee, payoutObjectFor, payoutStub } from "../services/payouts";
import { instantToSecondMs } from "../services/time";
import { operationIdFor, requireUser } from "../services/wallets";
import {
  amount,
  currency,
  description,
  metadata,
  Pagination,
  paginationOf,
  queryInstant,
  queryInteger,
  queryOptional,
  scopedIdParam,
  userIdParam,
  userRef,
  withAmountLimit,
} from "./schemas";

// ---- Contract (docs/guides/payouts.md) ----------------------------------------------------------

const iban = z
  .string()
  .max(42)
  .superRefine((value, ctx) => {
    const problem = ibanProblem(normalizeIban(value));
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({ example: "IQ98NBIQ850123456789012", description: "Spaces allowed; checked by its check digits (Iraqi IBANs: 23 characters)" });

const Destination = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("bank_account"), iban, account_holder_name: z.string().trim().min(1).max(140) }),
    z.strictObject({
      type: z.literal("mobile_wallet"),
      provider: z.enum(MOBILE_WALLET_PROVIDERS),
      phone: z
        .string()
        .regex(IRAQI_MOBILE, "An Iraqi mobile number in E.164 form: +964 then 7 and nine digits, e.g. +9647701234567")
        .openapi({ example: "+9647701234567", description: "E.164: an Iraqi mobile number, +9647 and nine digits" }),
    }),
  ])
  .openapi("PayoutDestination");

const PayoutBody = withAmountLimit(
  z.strictObject({ amount, currency, destination: Destination, description: description.optional(), metadata: metadata.optional() }),
);

const isoOrNull = z.string().nullable();
const Payout = z
  .object({
    id: z.string().openapi({ example: "po_test_9f8a7b6c5d4e3f2a" }),
    object: z.literal("payout"),
    status: z.enum(PAYOUT_STATUSES),
    amount: z.number().int().openapi({ description: "What reaches the destination" }),
    fee_amount: z
      .number()
      .int()
      .openapi({
        description:
          "Your payout fee (`payout_fee_bps` of the amount) on a user's payout: held with the amount (and counted with it against " +
          "the day's payout limit), paid to the platform when the payout is paid, released if it fails or is canceled, kept if " +
          "it is returned; 0 on a payout of your settlement balance",
      }),
    currency,
    user_id: z.string().nullable().openapi({ description: "The user paid out from; null for a payout of your settlement balance" }),
    destination: z
      .discriminatedUnion("type", [
        z.object({ type: z.literal("bank_account"), account_holder_name: z.string(), country: z.string(), last4: z.string() }),
        z.object({ type: z.literal("mobile_wallet"), provider: z.enum(MOBILE_WALLET_PROVIDERS), last4: z.string() }),
      ])
      .openapi({ description: "Where the money goes, shown by its last four characters" }),
    description: z.string().nullable(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    failure_code: z.enum(PAYOUT_FAILURE_CODES).nullable().openapi({ description: "Why it failed, or why it came back (returned)" }),
    failure_message: z.string().nullable(),
    arrival_date: isoOrNull.openapi({ description: "When the money is expected at the destination" }),
    created_at: z.string(),
    in_transit_at: isoOrNull,
    paid_at: isoOrNull,
    failed_at: isoOrNull,
    canceled_at: isoOrNull,
    returned_at: isoOrNull,
  })
  .openapi("Payout");

const payoutParams = scopedIdParam("po_test_9f8a7b6c5d4e3f2a");
const created = { 201: success(Payout, "Created: the amount is held until the payout is paid, fails or is canceled") };

const createForUser = defineRoute({
  method: "post",
  path: "/embedded/users/{id}/payouts",
  operationId: "createUserPayout",
  tags: ["Payouts"],
  summary: "Pay out from a user's wallet to their bank account or mobile wallet",
  auth: "merchant",
  idempotent: true,
  busyObject: true,
  request: { params: userIdParam, body: jsonBody(PayoutBody) },
  responses: created,
});

const createForMerchant = defineRoute({
  method: "post",
  path: "/payouts",
  operationId: "createPayout",
  tags: ["Payouts"],
  summary: "Pay out from your settlement balance",
  auth: "merchant",
  idempotent: true,
  busyObject: true,
  request: { body: jsonBody(PayoutBody) },
  responses: created,
});

const read = defineRoute({
  method: "get",
  path: "/payouts/{id}",
  operationId: "getPayout",
  tags: ["Payouts"],
  summary: "A payout, from its object (never stale)",
  auth: "merchant",
  busyObject: true,
  request: { params: payoutParams },
  responses: { 200: success(Payout, "The payout") },
});

const list = defineRoute({
  method: "get",
  path: "/payouts",
  operationId: "listPayouts",
  tags: ["Payouts"],
  summary: "Your payouts, newest first; filtered through an index that trails the payouts by a few seconds at most",
  auth: "merchant",
  request: {
    query: z
      .strictObject({
        status: queryOptional(z.enum(PAYOUT_STATUSES), { type: "string", enum: PAYOUT_STATUSES }),
        user_id: queryOptional(userRef, { type: "string", description: "Only this user's payouts (mazad_user_id or your external_id)" }),
        from: queryInstant.openapi({ description: "Created at or after this instant" }),
        to: queryInstant.openapi({ description: "Created at or before this instant (the whole second)" }),
        page: queryInteger({ min: 1, max: 1_000_000, fallback: 1 }),
        per_page: queryInteger({ min: 1, max: 100, fallback: 20 }),
      })
      .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
        message: "`from` must not be after `to`",
        path: ["from"],
      }),
  },
  responses: { 200: success(z.object({ payouts: z.array(Payout), pagination: Pagination }), "One page of payouts"), ...errors(404) },
});

const cancel = defineRoute({
  method: "post",
  path: "/payouts/{id}/cancel",
  operationId: "cancelPayout",
  tags: ["Payouts"],
  summary: "Cancel a pending payout (before the rail picks it up): its amount is released",
  auth: "merchant",
  idempotent: true,
  busyObject: true,
  request: { params: payoutParams },
  responses: { 200: success(Payout, "Canceled") },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const payoutRoutes = new OpenAPIHono<AppEnv>();

const PAYOUT = { what: "payout", param: "id" };
type Body = z.output<typeof PayoutBody>;

/** Creates a payout from `wallet`: live mode has no rail yet, and says so before anything is held. */
async function createPayout(c: Context<AppEnv>, body: Body, wallet: { wallet_id: string; user_id: string | null }) {
  const merchant = c.get("merchant");
  if (merchant.mode === "live") {
    throw new ApiError("payout_rail_unavailable", "Live payouts need a payout rail, which is not connected yet; use sandbox mode.");
  }
  const key = c.req.header("Idempotency-Key");
  const object_key = await newObjectKey("payout", c.get("idempotencyScope"), key);
  const call = merchantPayoutCall(merchant, c.get("clock"), requestCause(c));
  const answer = await payoutStub(c.env, object_key).create(call, {
    operation_id: await operationIdFor(c.get("idempotencyScope"), key),
    id: payoutId(object_key, merchant.mode),
    ...wallet,
    amount: body.amount,
    currency: body.currency,
    destination: body.destination,
    description: body.description ?? null,
    metadata: body.metadata ?? {},
    fee: wallet.user_id === null ? null : payoutFee(merchant, body.amount),
    kyc_limits: wallet.user_id === null ? null : merchant.kyc_limits,
  });
  const { payout, replayed } = unwrap(answer, PAYOUT);
  return replayable(replayed, c.json(ok(payout), 201));
}

payoutRoutes.openapi(createForUser, async (c) => {
  const user = await requireUser(database(c.env.DB), c.get("merchant"), c.req.valid("param").id);
  return createPayout(c, c.req.valid("json"), { wallet_id: user.wallet_id, user_id: user.id });
});

payoutRoutes.openapi(createForMerchant, async (c) => {
  return createPayout(c, c.req.valid("json"), { wallet_id: c.get("merchant").settlement_wallet_id, user_id: null });
});

payoutRoutes.openapi(read, async (c) => {
  const id = c.req.valid("param").id;
  const { payout } = unwrap(await payoutObjectFor(c.env, id).retrieve(call(c)), PAYOUT);
  return c.json(ok(payout), 200);
});

payoutRoutes.openapi(cancel, async (c) => {
  const id = c.req.valid("param").id;
  const operation_id = await operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key"));
  const { payout, replayed } = unwrap(await cancelPayout(c.env, call(c), id, operation_id), PAYOUT);
  return replayable(replayed, c.json(ok(payout), 200));
});

payoutRoutes.openapi(list, async (c) => {
  const query = c.req.valid("query");
  const merchant = c.get("merchant");
  const user = query.user_id === undefined ? undefined : await requireUser(database(c.env.DB), merchant, query.user_id, "user_id");
  const filters = {
    status: query.status,
    user_id: user?.id,
    from_ms: query.from ? instantToSecondMs(query.from) : undefined,
    to_ms: query.to ? instantToSecondMs(query.to) + 999 : undefined,
  };
  const page = await listPayoutPage(c.env, call(c), filters, { limit: query.per_page, offset: (query.page - 1) * query.per_page });
  const payouts = page.payouts;
  return c.json(ok({ payouts, pagination: paginationOf(query, page.total) }), 200);
});

function call(c: Context<AppEnv>) {
  return merchantPayoutCall(c.get("merchant"), c.get("clock"), requestCause(c));
}

// The contract's types, as clients (and the tests) send and read them.
export type CreatePayoutRequest = RequestBodyOf<typeof createForMerchant>;
export type PayoutResponse = ResponseDataOf<typeof read, 200>;
export type ListPayoutsResponse = ResponseDataOf<typeof list, 200>;
