import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { findWalletStatus } from "../db/wallets";
import { CURRENCY_CODES } from "../domain/currencies";
import { ENTRY_TYPES } from "../domain/ledger";
import { requireSandbox } from "../http/auth-merchant";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { errors, jsonBody, MERCHANT_AUTH, success } from "../http/openapi";
import { rateLimit } from "../http/rate-limit";
import { operationIdFor, refusalError, requireUser, walletCall, walletStub } from "../services/wallets";
import type { EntryView } from "../wallet/types";
import { amount, Balance, currency, description, Pagination, Transaction, userIdParam, withAmountLimit } from "./schemas";

// ---- Contract (spec/wallet-api.txt) -----------------------------------------------------------

const Wallet = z
  .object({
    wallet_id: z.string().openapi({ example: "wal_a1b2c3d4e5f6" }),
    mazad_user_id: z.string(),
    external_id: z.string(),
    status: z.enum(["active", "frozen", "closed"]),
    balances: z.array(Balance),
    created_at: z.string(),
  })
  .openapi("Wallet");

const wallet = createRoute({
  method: "get",
  path: "/embedded/users/{id}/wallet",
  tags: ["Wallets"],
  summary: "A user's wallet and its balance in every currency",
  security: MERCHANT_AUTH,
  request: { params: userIdParam },
  responses: { 200: success(Wallet, "The wallet"), ...errors(401, 403, 404) },
});

const MAX_PER_PAGE = 100;
const transactionsQuery = z
  .object({
    currency: z.enum(CURRENCY_CODES).optional(),
    type: z.enum(ENTRY_TYPES).optional(),
    from: z.iso.datetime({ offset: true }).optional().openapi({ example: "2026-03-01T00:00:00Z" }),
    to: z.iso.datetime({ offset: true }).optional(),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    per_page: z.coerce.number().int().min(1).max(MAX_PER_PAGE).default(20),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: "`from` must not be after `to`", path: ["from"] });

const transactions = createRoute({
  method: "get",
  path: "/embedded/users/{id}/transactions",
  tags: ["Wallets"],
  summary: "A user's transactions, newest first (60 requests per minute per merchant)",
  security: MERCHANT_AUTH,
  middleware: [rateLimit({ name: "transactions", limit: 60, window_seconds: 60 })] as const,
  request: { params: userIdParam, query: transactionsQuery },
  responses: {
    200: success(z.object({ transactions: z.array(Transaction), pagination: Pagination }), "One page of transactions"),
    ...errors(401, 403, 404, 422, 429),
  },
});

const topUp = createRoute({
  method: "post",
  path: "/embedded/users/{id}/wallet/top-ups",
  tags: ["Wallets"],
  summary: "Sandbox only: add free money to a user's wallet (a credit entry)",
  security: MERCHANT_AUTH,
  middleware: [requireSandbox] as const,
  request: { params: userIdParam, body: jsonBody(withAmountLimit(z.strictObject({ amount, currency, description: description.optional() }))) },
  responses: {
    201: success(z.object({ transaction: Transaction, balance: Balance }), "Credited"),
    ...errors(400, 401, 403, 404, 409, 415, 422),
  },
});

const ChainEntry = Transaction.extend({
  seq: z.number().int().openapi({ description: "Gap-free position in this wallet's history, from 1" }),
  held_after: z.number().int().openapi({ description: "Held balance after this entry" }),
  prev_hash: z.string().openapi({ description: "The previous entry's hash; 64 zeros for seq 1" }),
  hash: z.string().openapi({ description: "hex SHA-256 of the canonical entry (see the README)" }),
}).openapi("ChainEntry");

const chain = createRoute({
  method: "get",
  path: "/embedded/users/{id}/wallet/chain",
  tags: ["Wallets"],
  summary: "The wallet's hash-chained entries, oldest first, for offline verification",
  security: MERCHANT_AUTH,
  request: {
    params: userIdParam,
    query: z.object({
      after_seq: z.coerce.number().int().min(0).default(0),
      limit: z.coerce.number().int().min(1).max(1000).default(1000),
    }),
  },
  responses: {
    200: success(z.object({ wallet_id: z.string(), entries: z.array(ChainEntry), last_seq: z.number().int(), has_more: z.boolean() }), "Entries after `after_seq`"),
    ...errors(401, 403, 404, 422),
  },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const walletRoutes = new OpenAPIHono<AppEnv>();

function transactionView(e: EntryView) {
  return { id: e.id, type: e.type, amount: e.amount, currency: e.currency, description: e.description, reference: e.reference, balance_after: e.balance_after, created_at: e.created_at };
}

walletRoutes.openapi(wallet, async (c) => {
  const db = database(c.env.DB);
  const user = await requireUser(db, c.get("merchant"), c.req.valid("param").id);
  const [balances, status] = await Promise.all([
    walletStub(c.env, user.wallet_id).balances(walletCall(user.wallet_id, c.get("clock"), c.get("merchant"))),
    findWalletStatus(db, user.wallet_id),
  ]);
  return c.json(ok({ wallet_id: user.wallet_id, mazad_user_id: user.id, external_id: user.external_id, status, balances, created_at: user.created_at }), 200);
});

walletRoutes.openapi(transactions, async (c) => {
  const query = c.req.valid("query");
  const user = await requireUser(database(c.env.DB), c.get("merchant"), c.req.valid("param").id);
  const filters = {
    currency: query.currency,
    type: query.type,
    from_ms: query.from ? Date.parse(query.from) : undefined,
    to_ms: query.to ? Date.parse(query.to) : undefined,
  };
  const page = await walletStub(c.env, user.wallet_id).listEntries(walletCall(user.wallet_id, c.get("clock"), c.get("merchant")), filters, query.per_page, (query.page - 1) * query.per_page);
  return c.json(
    ok({
      transactions: page.entries.map(transactionView),
      pagination: { page: query.page, per_page: query.per_page, total: page.total, total_pages: Math.ceil(page.total / query.per_page) },
    }),
    200,
  );
});

walletRoutes.openapi(topUp, async (c) => {
  const input = c.req.valid("json");
  const user = await requireUser(database(c.env.DB), c.get("merchant"), c.req.valid("param").id);
  const operation_id = await operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key"), "top_up");
  const stub = walletStub(c.env, user.wallet_id);
  const call = walletCall(user.wallet_id, c.get("clock"), c.get("merchant"));
  const result = await stub.creditExternal(call, {
    operation_id,
    currency: input.currency,
    amount: input.amount,
    description: input.description ?? "Sandbox top-up",
    reference: `top_${operation_id.slice(-16)}`,
  });
  if (!result.ok) throw refusalError(result);
  const balance = (await stub.balances(call)).find((b) => b.currency === input.currency)!;
  return c.json(ok({ transaction: transactionView(result.entry), balance }), 201);
});

walletRoutes.openapi(chain, async (c) => {
  const query = c.req.valid("query");
  const user = await requireUser(database(c.env.DB), c.get("merchant"), c.req.valid("param").id);
  const page = await walletStub(c.env, user.wallet_id).chain(walletCall(user.wallet_id, c.get("clock"), c.get("merchant")), query.after_seq, query.limit);
  const entries = page.entries.map((e) => ({ ...transactionView(e), seq: e.seq, held_after: e.held_after, prev_hash: e.prev_hash, hash: e.hash }));
  const last_returned = entries.at(-1)?.seq ?? query.after_seq;
  return c.json(ok({ wallet_id: user.wallet_id, entries, last_seq: page.last_seq, has_more: last_returned < page.last_seq }), 200);
});
