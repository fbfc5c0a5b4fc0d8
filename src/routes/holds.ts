import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "../db/client";
import { newWalletScopedId, walletOfScopedId } from "../domain/ids";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { notFound } from "../domain/errors";
import { defineRoute, errors, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { replayable } from "../http/replay";
import { instantToSecondMs } from "../services/time";
import { unwrap } from "../domain/outcome";
import { operationIdFor, platformWalletId, requireUser, walletCall, walletStub } from "../services/wallets";
import type { HoldView } from "../wallet/types";
import { amount, currency, description, instant, reference, scopedIdParam, userRef, withAmountLimit } from "./schemas";
import { requestCause } from "../http/request-context";
import { pick } from "../domain/pick";

// ---- Contract ---------------------------------------------------------------------------------

/** Holds may last up to 90 days: long enough for an auction, short enough that money is never stuck. */
const MAX_HOLD_SECONDS = 90 * 24 * 3600;

const Hold = z
  .object({
    id: z.string().openapi({ example: "hld_9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c" }),
    user_id: z.string().nullable(),
    wallet_id: z.string(),
    amount: z.number().int(),
    currency,
    captured_amount: z.number().int().openapi({ description: "Taken from the hold when captured (the rest was released); 0 otherwise" }),
    commission_amount: z.number().int().nullable().openapi({
      description: "Once captured: the platform's commission on captured_amount, rounded half up to the minor unit; null before",
    }),
    merchant_amount: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Once captured: what your settlement wallet received, captured_amount - commission_amount; null before" }),
    status: z.enum(["active", "captured", "released", "expired"]),
    reference: z.string().nullable().openapi({ description: "Your reference, as you sent it; ledger entries carry the hold id" }),
    description: z.string().nullable(),
    expires_at: z.string().nullable(),
    created_at: z.string(),
    resolved_at: z.string().nullable(),
  })
  .openapi("Hold");

const holdParams = scopedIdParam("hld_9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c");

const create = defineRoute({
  method: "post",
  path: "/embedded/holds",
  operationId: "createHold",
  tags: ["Holds"],
  summary: "Hold funds in a user's wallet (escrow, e.g. an auction deposit); released at expires_at if set",
  auth: "merchant",
  busyObject: true,
  idempotent: true,
  request: {
    body: jsonBody(
      withAmountLimit(
        z.strictObject({
          user_id: userRef,
          amount,
          currency,
          reference: reference.optional(),
          description: description.optional(),
          expires_at: instant
            .optional()
            .openapi({ description: `In the future, within ${MAX_HOLD_SECONDS / 86_400} days; kept to the second` }),
        }),
      ),
    ),
  },
  // The user named in the body may be unknown (or another merchant's): 404.
  responses: { 201: success(Hold, "Held"), ...errors(404) },
});

const read = defineRoute({
  method: "get",
  path: "/embedded/holds/{id}",
  operationId: "getHold",
  tags: ["Holds"],
  summary: "A hold",
  auth: "merchant",
  busyObject: true,
  request: { params: holdParams },
  responses: { 200: success(Hold, "The hold") },
});

const release = defineRoute({
  method: "post",
  path: "/embedded/holds/{id}/release",
  operationId: "releaseHold",
  tags: ["Holds"],
  summary: "Release a hold back to available; a hold no longer active is 422 hold_not_active",
  auth: "merchant",
  busyObject: true,
  idempotent: true,
  request: { params: holdParams },
  responses: { 200: success(Hold, "Released") },
});

const capture = defineRoute({
  method: "post",
  path: "/embedded/holds/{id}/capture",
  operationId: "captureHold",
  tags: ["Holds"],
  summary: "Capture all or part of a hold to your settlement wallet, less commission; the rest is released",
  auth: "merchant",
  busyObject: true,
  idempotent: true,
  request: { params: holdParams, body: jsonBody(z.strictObject({ amount: amount.optional() }), false) },
  responses: { 200: success(Hold, "Captured") },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const holdRoutes = new OpenAPIHono<AppEnv>();

const HOLD = { what: "hold", param: "id" };

/**
 * A hold as an answer holds it. A capture answered before the hold's figure was named
 * merchant_amount (replayed for its Idempotency-Key) has it as net_amount: the same figure.
 */
type AnsweredHold = Omit<HoldView, "merchant_amount"> & { merchant_amount?: number | null; net_amount?: number | null };

/** A hold in its schema's fields and order: the wallet from its id, and merchant_amount whatever its stored name. */
function present(hold: AnsweredHold) {
  const merchant_amount = hold.merchant_amount !== undefined ? hold.merchant_amount : (hold.net_amount ?? null);
  return pick({ ...hold, wallet_id: walletOfScopedId("hold", hold.id)!, merchant_amount }, Hold.keyof().options);
}

holdRoutes.openapi(create, async (c) => {
  const input = c.req.valid("json");
  const merchant = c.get("merchant");
  const clock = c.get("clock");
  // Whether expires_at is still ahead is the wallet's to judge, after its idempotency lookup: a
  // retry of a hold placed earlier must get that hold back even once its expiry has passed.
  const expires_at_ms = input.expires_at === undefined ? null : instantToSecondMs(input.expires_at);
  const user = await requireUser(database(c.env.DB), merchant, input.user_id, "user_id");
  const result = await walletStub(c.env, user.wallet_id).placeHold(
    walletCall(user.wallet_id, clock, merchant, "registry", requestCause(c)),
    {
      operation_id: await operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key")),
      hold_id: newWalletScopedId("hold", user.wallet_id),
      user_id: user.id,
      currency: input.currency,
      amount: input.amount,
      reference: input.reference ?? null,
      description: input.description ?? null,
      expires_at_ms,
      expires_within_seconds: MAX_HOLD_SECONDS,
    },
  );
  const { hold, replayed } = unwrap(result, { what: "user", param: "user_id" });
  return replayable(replayed, c.json(ok(present(hold)), 201));
});

function holdWallet(c: Context<AppEnv>, id: string) {
  const wallet_id = walletOfScopedId("hold", id);
  if (!wallet_id) throw notFound("hold", "id");
  return { stub: walletStub(c.env, wallet_id), call: walletCall(wallet_id, c.get("clock"), c.get("merchant"), "id", requestCause(c)) };
}

holdRoutes.openapi(read, async (c) => {
  const id = c.req.valid("param").id;
  const { stub, call } = holdWallet(c, id);
  const { hold } = unwrap(await stub.getHold(call, id), HOLD);
  return c.json(ok(present(hold)), 200);
});

holdRoutes.openapi(release, async (c) => {
  const id = c.req.valid("param").id;
  const { stub, call } = holdWallet(c, id);
  const operation_id = await operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key"));
  const { hold, replayed } = unwrap(await stub.releaseHold(call, { operation_id, hold_id: id }), HOLD);
  return replayable(replayed, c.json(ok(present(hold)), 200));
});

holdRoutes.openapi(capture, async (c) => {
  const id = c.req.valid("param").id;
  const input = c.req.valid("json");
  const merchant = c.get("merchant");
  const { stub, call } = holdWallet(c, id);
  const result = await stub.captureHold(call, {
    operation_id: await operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key")),
    hold_id: id,
    amount: input.amount,
    commission_bps: merchant.commission_bps,
    settlement_wallet_id: merchant.settlement_wallet_id,
    platform_wallet_id: platformWalletId(merchant),
  });
  const { hold, replayed } = unwrap(result, HOLD);
  return replayable(replayed, c.json(ok(present(hold)), 200));
});

// The contract's types, as clients (and the tests) send and read them.
export type CreateHoldRequest = RequestBodyOf<typeof create>;
export type CreateHoldResponse = ResponseDataOf<typeof create, 201>;
export type GetHoldResponse = ResponseDataOf<typeof read, 200>;
export type ReleaseHoldResponse = ResponseDataOf<typeof release, 200>;
export type CaptureHoldRequest = RequestBodyOf<typeof capture>;
export type CaptureHoldResponse = ResponseDataOf<typeof capture, 200>;
