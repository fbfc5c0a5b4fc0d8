import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { toIsoSeconds } from "../domain/clock";
import { newId } from "../domain/ids";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { ApiError } from "../http/errors";
import { errors, jsonBody, MERCHANT_AUTH, success } from "../http/openapi";
import { operationIdFor, refusalError, requireUser, walletCall, walletStub } from "../services/wallets";
import { amount, currency, description, withAmountLimit } from "./schemas";

// ---- Contract ---------------------------------------------------------------------------------

const Transfer = z
  .object({
    id: z.string().openapi({ example: "trf_3f9a8b7c6d5e4f3a" }),
    from_user_id: z.string(),
    to_user_id: z.string(),
    amount: z.number().int(),
    currency,
    description: z.string().nullable(),
    status: z.enum(["succeeded", "processing"]).openapi({
      description: "`processing` when the credit is still on its way to the recipient; it lands exactly once",
    }),
    created_at: z.string(),
  })
  .openapi("Transfer");

const userRef = z.string().min(1).max(128).openapi({ description: "mazad_user_id or your external_id" });

const create = createRoute({
  method: "post",
  path: "/embedded/transfers",
  tags: ["Transfers"],
  summary: "Move money between two of your users' wallets",
  security: MERCHANT_AUTH,
  request: {
    body: jsonBody(
      withAmountLimit(
        z.strictObject({ from_user_id: userRef, to_user_id: userRef, amount, currency, description: description.optional() }),
      ),
    ),
  },
  responses: { 201: success(Transfer, "Transferred"), ...errors(400, 401, 403, 404, 409, 415, 422) },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const transferRoutes = new OpenAPIHono<AppEnv>();

transferRoutes.openapi(create, async (c) => {
  const input = c.req.valid("json");
  const db = database(c.env.DB);
  const merchant = c.get("merchant");
  const from = await requireUser(db, merchant, input.from_user_id, "from_user_id");
  const to = await requireUser(db, merchant, input.to_user_id, "to_user_id");
  if (from.id === to.id) throw new ApiError("parameter_invalid", "A transfer needs two different users.", "to_user_id");
  const operation_id = await operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key"), "transfer");
  const id = newId("transfer");
  const stub = walletStub(c.env, from.wallet_id);
  const call = walletCall(from.wallet_id, c.get("clock"), c.get("merchant"));
  const result = await stub.transfer(call, {
    operation_id,
    to_wallet_id: to.wallet_id,
    entry_type: "credit",
    merchant_id: merchant.merchant_id,
    currency: input.currency,
    amount: input.amount,
    description: input.description ?? null,
    // Both wallets' entries carry the transfer id as their reference.
    reference: id,
  });
  if (!result.ok) throw refusalError(result);
  // The recipient is another user, not the merchant's hot settlement wallet: deliver now so the
  // answer can say it landed. If delivery fails, the sender's alarm retries it.
  const { pending } = await stub.flushOutbox(call, to.wallet_id);
  return c.json(
    ok({
      id: result.entry.reference!,
      from_user_id: from.id,
      to_user_id: to.id,
      amount: input.amount,
      currency: input.currency,
      description: input.description ?? null,
      status: pending === 0 ? ("succeeded" as const) : ("processing" as const),
      created_at: toIsoSeconds(call.now_ms),
    }),
    201,
  );
});
