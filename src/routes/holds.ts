import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "../db/client";
import { deleteHoldLocation, findHoldLocation, insertHoldLocation, type HoldLocation } from "../db/wallets";
import { toIsoSeconds } from "../domain/clock";
import { newId } from "../domain/ids";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { ApiError, notFound } from "../http/errors";
import { errors, jsonBody, MERCHANT_AUTH, success } from "../http/openapi";
import {
  operationIdFor,
  platformWalletId,
  refusalError,
  requireSettlementWallet,
  requireUser,
  walletCall,
  walletStub,
} from "../services/wallets";
import type { HoldView } from "../wallet/types";
import { amount, currency, description, reference, withAmountLimit } from "./schemas";

// ---- Contract (API.md, "Embedded users and wallets") ------------------------------------------

/** Holds may last up to 90 days: long enough for an auction, short enough that money is never stuck. */
const MAX_HOLD_SECONDS = 90 * 24 * 3600;

const Hold = z
  .object({
    id: z.string().openapi({ example: "hld_9f8e7d6c5b4a3f2e" }),
    user_id: z.string(),
    wallet_id: z.string(),
    amount: z.number().int(),
    currency,
    captured_amount: z.number().int(),
    status: z.enum(["active", "captured", "released", "expired"]),
    reference: z.string().nullable(),
    description: z.string().nullable(),
    expires_at: z.string().nullable(),
    created_at: z.string(),
    resolved_at: z.string().nullable(),
  })
  .openapi("Hold");

const holdParams = z.object({ id: z.string().max(64).openapi({ param: { name: "id", in: "path" }, example: "hld_9f8e7d6c5b4a3f2e" }) });

const create = createRoute({
  method: "post",
  path: "/embedded/holds",
  tags: ["Holds"],
  summary: "Hold funds in a user's wallet (escrow, e.g. an auction deposit); released at expires_at if set",
  security: MERCHANT_AUTH,
  request: {
    body: jsonBody(
      withAmountLimit(
        z.strictObject({
          user_id: z.string().min(1).max(128).openapi({ description: "mazad_user_id or your external_id" }),
          amount,
          currency,
          reference: reference.optional(),
          description: description.optional(),
          expires_at: z.iso.datetime({ offset: true }).optional().openapi({ description: `ISO 8601, in the future, within ${MAX_HOLD_SECONDS / 86400} days` }),
        }),
      ),
    ),
  },
  responses: { 201: success(Hold, "Held"), ...errors(400, 401, 403, 404, 409, 415, 422) },
});

const read = createRoute({
  method: "get",
  path: "/embedded/holds/{id}",
  tags: ["Holds"],
  summary: "A hold",
  security: MERCHANT_AUTH,
  request: { params: holdParams },
  responses: { 200: success(Hold, "The hold"), ...errors(401, 403, 404) },
});

const release = createRoute({
  method: "post",
  path: "/embedded/holds/{id}/release",
  tags: ["Holds"],
  summary: "Release a hold back to available",
  security: MERCHANT_AUTH,
  request: { params: holdParams },
  responses: { 200: success(Hold, "Released"), ...errors(401, 403, 404, 409, 422) },
});

const capture = createRoute({
  method: "post",
  path: "/embedded/holds/{id}/capture",
  tags: ["Holds"],
  summary: "Capture all or part of a hold to your settlement wallet, less commission; the rest is released",
  security: MERCHANT_AUTH,
  request: { params: holdParams, body: jsonBody(z.strictObject({ amount: amount.optional() }), false) },
  responses: {
    200: success(
      Hold.extend({
        commission_amount: z.number().int().openapi({ description: "Platform commission, rounded half up to the minor unit" }),
        net_amount: z.number().int().openapi({ description: "What your settlement wallet receives" }),
      }),
      "Captured",
    ),
    ...errors(400, 401, 403, 404, 409, 415, 422),
  },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const holdRoutes = new OpenAPIHono<AppEnv>();

function present(location: HoldLocation, hold: HoldView) {
  const { id, amount, currency, captured_amount, status, reference, description, expires_at, created_at, resolved_at } = hold;
  return { id, user_id: location.user_id, wallet_id: location.wallet_id, amount, currency, captured_amount, status, reference, description, expires_at, created_at, resolved_at };
}

holdRoutes.openapi(create, async (c) => {
  const input = c.req.valid("json");
  const merchant = c.get("merchant");
  const clock = c.get("clock");
  // Timestamps have one-second precision in the API, so the expiry is kept to the second it shows.
  const expires_at_ms = input.expires_at === undefined ? null : Math.floor(Date.parse(input.expires_at) / 1000) * 1000;
  if (expires_at_ms !== null && (expires_at_ms <= clock.now_ms() || expires_at_ms > clock.now_ms() + MAX_HOLD_SECONDS * 1000)) {
    throw new ApiError("parameter_invalid", `expires_at must be in the future and within ${MAX_HOLD_SECONDS / 86400} days.`, "expires_at");
  }
  const db = database(c.env.DB);
  const user = await requireUser(db, merchant, input.user_id, "user_id");
  // The location is written first: a crash after it leaves a pointer to nothing, never held money nobody can find.
  const location = { id: newId("hold"), merchant_id: merchant.merchant_id, mode: merchant.mode, wallet_id: user.wallet_id, user_id: user.id, created_at: toIsoSeconds(clock.now_ms()) };
  await insertHoldLocation(db, location);
  const result = await walletStub(c.env, user.wallet_id).placeHold(walletCall(user.wallet_id, clock, merchant), {
    operation_id: await operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key"), "hold"),
    hold_id: location.id,
    currency: input.currency,
    amount: input.amount,
    reference: input.reference ?? null,
    description: input.description ?? null,
    expires_at_ms,
  });
  if (!result.ok) {
    await deleteHoldLocation(db, location.id);
    throw refusalError(result);
  }
  // A replayed operation returns the first hold, whose location is the first one written.
  if (result.hold.id !== location.id) await deleteHoldLocation(db, location.id);
  return c.json(ok(present({ ...location, id: result.hold.id }, result.hold)), 201);
});

async function requireHold(c: Context<AppEnv>, id: string) {
  const merchant = c.get("merchant");
  const location = await findHoldLocation(database(c.env.DB), merchant.merchant_id, merchant.mode, id);
  if (!location) throw notFound("hold", "id");
  return { location, stub: walletStub(c.env, location.wallet_id), call: walletCall(location.wallet_id, c.get("clock"), c.get("merchant")) };
}

holdRoutes.openapi(read, async (c) => {
  const { location, stub, call } = await requireHold(c, c.req.valid("param").id);
  const hold = await stub.getHold(call, location.id);
  if (!hold) throw notFound("hold", "id");
  return c.json(ok(present(location, hold)), 200);
});

holdRoutes.openapi(release, async (c) => {
  const { location, stub, call } = await requireHold(c, c.req.valid("param").id);
  const result = await stub.releaseHold(call, { operation_id: `release:${location.id}`, hold_id: location.id });
  if (!result.ok) throw refusalError(result);
  return c.json(ok(present(location, result.hold)), 200);
});

holdRoutes.openapi(capture, async (c) => {
  const input = c.req.valid("json");
  const merchant = c.get("merchant");
  const { location, stub, call } = await requireHold(c, c.req.valid("param").id);
  const result = await stub.captureHold(call, {
    // One capture per hold: the hold id is the operation, so a retried capture cannot capture twice.
    operation_id: `capture:${location.id}`,
    hold_id: location.id,
    amount: input.amount,
    merchant_id: merchant.merchant_id,
    commission_bps: merchant.commission_bps,
    settlement_wallet_id: await requireSettlementWallet(database(c.env.DB), merchant),
    platform_wallet_id: platformWalletId(merchant.mode),
  });
  if (!result.ok) throw refusalError(result);
  return c.json(ok({ ...present(location, result.hold), commission_amount: result.commission, net_amount: result.net }), 200);
});
