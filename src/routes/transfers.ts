import { OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { newWalletScopedId, walletOfScopedId } from "../domain/ids";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { ApiError, notFound } from "../domain/errors";
import { defineRoute, errors, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { replayable } from "../http/replay";
import { unwrap } from "../domain/outcome";
import { operationIdFor, requireUser, walletCall, walletStub } from "../services/wallets";
import { amount, currency, description, reference, scopedIdParam, userRef, withAmountLimit } from "./schemas";
import { requestCause } from "../http/request-context";

// ---- Contract ---------------------------------------------------------------------------------

const Transfer = z
  .object({
    id: z.string().openapi({ example: "trf_3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c" }),
    from_user_id: z.string().nullable(),
    to_user_id: z.string().nullable(),
    amount: z.number().int(),
    currency,
    description: z.string().nullable(),
    reference: z.string().nullable().openapi({ description: "Your reference, as you sent it; ledger entries carry the transfer id" }),
    status: z.enum(["succeeded", "processing"]).openapi({
      description: "`processing` while the credit is on its way to the recipient; it lands exactly once, and GET shows when",
    }),
    created_at: z.string(),
  })
  .openapi("Transfer");

const create = defineRoute({
  method: "post",
  path: "/embedded/transfers",
  operationId: "createTransfer",
  tags: ["Transfers"],
  summary: "Move money between two of your users' wallets",
  auth: "merchant",
  busyObject: true,
  idempotent: true,
  request: {
    body: jsonBody(
      withAmountLimit(
        z.strictObject({
          from_user_id: userRef,
          to_user_id: userRef,
          amount,
          currency,
          description: description.optional(),
          reference: reference.optional(),
        }),
      ),
    ),
  },
  // Either user may be unknown (or another merchant's): 404 naming which.
  responses: { 201: success(Transfer, "Transferred (or on its way: `processing`)"), ...errors(404) },
});

const read = defineRoute({
  method: "get",
  path: "/embedded/transfers/{id}",
  operationId: "getTransfer",
  tags: ["Transfers"],
  summary: "A transfer and its state: `processing` until the credit has landed, then `succeeded`",
  auth: "merchant",
  busyObject: true,
  request: { params: scopedIdParam("trf_3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c") },
  responses: { 200: success(Transfer, "The transfer") },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const transferRoutes = new OpenAPIHono<AppEnv>();

transferRoutes.openapi(create, async (c) => {
  const input = c.req.valid("json");
  const db = database(c.env.DB);
  const merchant = c.get("merchant");
  const [from, to] = await Promise.all([
    requireUser(db, merchant, input.from_user_id, "from_user_id"),
    requireUser(db, merchant, input.to_user_id, "to_user_id"),
  ]);
  if (from.id === to.id) throw new ApiError("parameter_invalid", "A transfer needs two different users.", "to_user_id");
  const result = await walletStub(c.env, from.wallet_id).transfer(
    walletCall(from.wallet_id, c.get("clock"), merchant, "registry", requestCause(c)),
    {
      operation_id: await operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key")),
      transfer_id: newWalletScopedId("transfer", from.wallet_id),
      from_user_id: from.id,
      to_user_id: to.id,
      to_wallet_id: to.wallet_id,
      currency: input.currency,
      amount: input.amount,
      description: input.description ?? null,
      reference: input.reference ?? null,
    },
  );
  const { transfer, replayed } = unwrap(result, { what: "user", param: "from_user_id" });
  return replayable(replayed, c.json(ok(transfer), 201));
});

transferRoutes.openapi(read, async (c) => {
  const id = c.req.valid("param").id;
  const wallet_id = walletOfScopedId("transfer", id);
  if (!wallet_id) throw notFound("transfer", "id");
  const result = await walletStub(c.env, wallet_id).getTransfer(walletCall(wallet_id, c.get("clock"), c.get("merchant"), "id"), id);
  return c.json(ok(unwrap(result, { what: "transfer", param: "id" }).transfer), 200);
});

// The contract's types, as clients (and the tests) send and read them.
export type CreateTransferRequest = RequestBodyOf<typeof create>;
export type CreateTransferResponse = ResponseDataOf<typeof create, 201>;
export type GetTransferResponse = ResponseDataOf<typeof read, 200>;
