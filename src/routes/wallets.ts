import { OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { ENTRY_TYPES } from "../domain/ledger";
import { requireSandbox } from "../http/auth-merchant";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { defineRoute, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { rateLimit } from "../http/rate-limit";
import { replayable } from "../http/replay";
import { unwrap } from "../domain/outcome";
import { operationIdFor, requireUser, walletCall, walletStub } from "../services/wallets";
import type { EntryView } from "../wallet/types";
import {
  amount,
  Balance,
  currency,
  description,
  Pagination,
  paginationOf,
  queryCurrency,
  queryInstant,
  queryInteger,
  queryOptional,
  Transaction,
  userIdParam,
  withAmountLimit,
} from "./schemas";
import { instantToSecondMs } from "../services/time";

// ---- Contract ---------------------------------------------------------------------------------

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

const wallet = defineRoute({
  method: "get",
  path: "/embedded/users/{id}/wallet",
  operationId: "getWallet",
  tags: ["Wallets"],
  summary: "A user's wallet and its balance in every currency",
  auth: "merchant",
  busyObject: true,
  request: { params: userIdParam },
  responses: { 200: success(Wallet, "The wallet") },
});

const MAX_PER_PAGE = 100;
const transactionsQuery = z
  .strictObject({
    currency: queryCurrency,
    type: queryOptional(z.enum(ENTRY_TYPES), { type: "string", enum: ENTRY_TYPES, description: "Only entries of this type" }),
    from: queryInstant.openapi({ description: "Entries at or after this instant (to the second)" }),
    to: queryInstant.openapi({
      description: "Entries at or before this instant: everything shown with this second's timestamp is included",
    }),
    page: queryInteger({ min: 1, max: 1_000_000, fallback: 1 }),
    per_page: queryInteger({ min: 1, max: MAX_PER_PAGE, fallback: 20 }),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: "`from` must not be after `to`", path: ["from"] });

const transactions = defineRoute({
  method: "get",
  path: "/embedded/users/{id}/transactions",
  operationId: "listTransactions",
  tags: ["Wallets"],
  summary: "A user's transactions, newest first (60 requests per minute per merchant)",
  auth: "merchant",
  busyObject: true,
  rateLimited: true,
  middleware: [rateLimit({ name: "transactions", limit: 60, window_seconds: 60 })] as const,
  request: { params: userIdParam, query: transactionsQuery },
  responses: { 200: success(z.object({ transactions: z.array(Transaction), pagination: Pagination }), "One page of transactions") },
});

const topUp = defineRoute({
  method: "post",
  path: "/embedded/users/{id}/wallet/top-ups",
  operationId: "topUpWallet",
  tags: ["Wallets"],
  summary: "Sandbox only: add free money to a user's wallet (a credit entry)",
  auth: "merchant",
  busyObject: true,
  idempotent: true,
  middleware: [requireSandbox] as const,
  request: {
    params: userIdParam,
    body: jsonBody(withAmountLimit(z.strictObject({ amount, currency, description: description.optional() }))),
  },
  responses: { 201: success(z.object({ transaction: Transaction, balance: Balance }), "Credited") },
});

const ChainEntry = Transaction.extend({
  seq: z.number().int().openapi({ description: "Gap-free position in this wallet's history, from 1" }),
  held_after: z.number().int().openapi({ description: "Held balance after this entry" }),
  prev_hash: z.string().openapi({ description: "The previous entry's hash; 64 zeros for seq 1" }),
  hash: z.string().openapi({
    description:
      "hex SHA-256 of the canonical entry: [prev_hash, seq, id, wallet_id, type, currency, amount, balance_after, held_after, " +
      "reference, description, created_at] as JSON",
  }),
}).openapi("ChainEntry");

const chain = defineRoute({
  method: "get",
  path: "/embedded/users/{id}/wallet/chain",
  operationId: "getWalletChain",
  tags: ["Wallets"],
  summary: "The wallet's hash-chained entries, oldest first, for offline verification",
  auth: "merchant",
  busyObject: true,
  request: {
    params: userIdParam,
    query: z.strictObject({
      after_seq: queryInteger({ min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
      limit: queryInteger({ min: 1, max: 1000, fallback: 1000 }),
    }),
  },
  responses: {
    200: success(
      z.object({ wallet_id: z.string(), entries: z.array(ChainEntry), last_seq: z.number().int(), has_more: z.boolean() }),
      "Entries after `after_seq`",
    ),
  },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const walletRoutes = new OpenAPIHono<AppEnv>();

const USER = { what: "user", param: "id" };

function transactionView(e: EntryView) {
  return {
    id: e.id,
    type: e.type,
    amount: e.amount,
    currency: e.currency,
    description: e.description,
    reference: e.reference,
    balance_after: e.balance_after,
    created_at: e.created_at,
  };
}

/** Entries are shown to the second: a bound names a whole second, so `to` reaches its last millisecond. */

walletRoutes.openapi(wallet, async (c) => {
  const user = await requireUser(database(c.env.DB), c.get("merchant"), c.req.valid("param").id);
  const result = await walletStub(c.env, user.wallet_id).balances(
    walletCall(user.wallet_id, c.get("clock"), c.get("merchant"), "registry"),
  );
  const { balances, status } = unwrap(result, USER);
  return c.json(
    ok({
      wallet_id: user.wallet_id,
      mazad_user_id: user.id,
      external_id: user.external_id,
      status: status as "active",
      balances,
      created_at: user.created_at,
    }),
    200,
  );
});

walletRoutes.openapi(transactions, async (c) => {
  const query = c.req.valid("query");
  const user = await requireUser(database(c.env.DB), c.get("merchant"), c.req.valid("param").id);
  const filters = {
    currency: query.currency,
    type: query.type,
    from_ms: query.from ? instantToSecondMs(query.from) : undefined,
    to_ms: query.to ? instantToSecondMs(query.to) + 999 : undefined,
  };
  const call = walletCall(user.wallet_id, c.get("clock"), c.get("merchant"), "registry");
  const page = unwrap(
    await walletStub(c.env, user.wallet_id).listEntries(call, filters, query.per_page, (query.page - 1) * query.per_page),
    USER,
  );
  return c.json(
    ok({
      transactions: page.entries.map(transactionView),
      pagination: paginationOf(query, page.total),
    }),
    200,
  );
});

/**
 * A top-up is money entering the merchant's wallets: it is first counted against the merchant's
 * bound on its settlement wallet (with the same operation id, so a retry is counted once), then
 * credited to the user.
 */
walletRoutes.openapi(topUp, async (c) => {
  const input = c.req.valid("json");
  const merchant = c.get("merchant");
  const clock = c.get("clock");
  const user = await requireUser(database(c.env.DB), merchant, c.req.valid("param").id);
  const settlement_wallet_id = merchant.settlement_wallet_id;
  const operation_id = await operationIdFor(c.get("idempotencyScope"), c.req.header("Idempotency-Key"));
  const issue = { operation_id: `${operation_id}:issue`, currency: input.currency, amount: input.amount, to_wallet_id: user.wallet_id };
  unwrap(
    await walletStub(c.env, settlement_wallet_id).reserveIssuance(walletCall(settlement_wallet_id, clock, merchant, "registry"), issue),
    USER,
  );
  // A top-up the user's KYC limits refuse leaves its reservation counted: the bound only grows stricter by it.
  const result = await walletStub(c.env, user.wallet_id).creditExternal(walletCall(user.wallet_id, clock, merchant, "registry"), {
    operation_id,
    currency: input.currency,
    amount: input.amount,
    description: input.description ?? "Sandbox top-up",
    reference: `top_${operation_id.slice(-16)}`,
    kyc_limits: merchant.kyc_limits,
  });
  const { entry, balance, replayed } = unwrap(result, USER);
  return replayable(replayed, c.json(ok({ transaction: transactionView(entry), balance }), 201));
});

walletRoutes.openapi(chain, async (c) => {
  const query = c.req.valid("query");
  const user = await requireUser(database(c.env.DB), c.get("merchant"), c.req.valid("param").id);
  const call = walletCall(user.wallet_id, c.get("clock"), c.get("merchant"), "registry");
  const page = unwrap(await walletStub(c.env, user.wallet_id).chain(call, query.after_seq, query.limit), USER);
  const entries = page.entries.map((e) => ({
    ...transactionView(e),
    seq: e.seq,
    held_after: e.held_after,
    prev_hash: e.prev_hash,
    hash: e.hash,
  }));
  const last_returned = entries.at(-1)?.seq ?? query.after_seq;
  return c.json(ok({ wallet_id: user.wallet_id, entries, last_seq: page.last_seq, has_more: last_returned < page.last_seq }), 200);
});

// The contract's types, as clients (and the tests) send and read them.
export type GetWalletResponse = ResponseDataOf<typeof wallet, 200>;
export type ListTransactionsResponse = ResponseDataOf<typeof transactions, 200>;
export type TopUpWalletRequest = RequestBodyOf<typeof topUp>;
export type TopUpWalletResponse = ResponseDataOf<typeof topUp, 201>;
export type GetWalletChainResponse = ResponseDataOf<typeof chain, 200>;
