import { OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { defineRoute, success, type ResponseDataOf } from "../http/openapi";
import { auditLedger } from "../services/audit";
import { unwrap } from "../domain/outcome";
import { walletCall, walletStub } from "../services/wallets";
import { Balance, currency } from "./schemas";

// ---- Contract ---------------------------------------------------------------------------------

const balance = defineRoute({
  method: "get",
  path: "/balance",
  operationId: "getBalance",
  tags: ["Ledger"],
  summary: "Your settlement wallet: captured funds, less commission",
  auth: "merchant",
  busyObject: true,
  responses: { 200: success(z.object({ wallet_id: z.string(), balances: z.array(Balance) }), "Your balance") },
});

const Audit = z
  .object({
    currency,
    wallet_count: z.number().int(),
    wallets_total: z.number().int().openapi({ description: "Sum of available + held over your users' wallets and your settlement wallet" }),
    outbox_pending: z.number().int().openapi({ description: "Money on its way between wallets" }),
    platform_commission: z.number().int().openapi({ description: "Commission the platform holds from your captures" }),
    external_credits: z.number().int().openapi({ description: "Money that entered: sandbox top-ups, card captures" }),
    external_debits: z.number().int().openapi({ description: "Money that left: payouts, card refunds" }),
    holds_consistent: z.boolean().openapi({ description: "In every wallet, held equals the sum of its active holds, re-counted in full" }),
    balanced: z
      .boolean()
      .openapi({ description: "wallets_total + outbox_pending + platform_commission = external_credits - external_debits" }),
  })
  .openapi("LedgerAudit");

const audit = defineRoute({
  method: "get",
  path: "/ledger/audit",
  operationId: "auditLedger",
  tags: ["Ledger"],
  summary: "Conservation check: no money appeared or vanished, for your merchant and mode",
  auth: "merchant",
  busyObject: true,
  request: { query: z.strictObject({ currency }) },
  responses: { 200: success(Audit, "The sums") },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const ledgerRoutes = new OpenAPIHono<AppEnv>();

ledgerRoutes.openapi(balance, async (c) => {
  const merchant = c.get("merchant");
  const wallet_id = merchant.settlement_wallet_id;
  const result = await walletStub(c.env, wallet_id).balances(walletCall(wallet_id, c.get("clock"), merchant, "registry"));
  return c.json(ok({ wallet_id, balances: unwrap(result, { what: "wallet", param: "id" }).balances }), 200);
});

ledgerRoutes.openapi(audit, async (c) => {
  const result = await auditLedger(c.env, database(c.env.DB), c.get("merchant"), c.req.valid("query").currency, c.get("clock"));
  return c.json(ok(result), 200);
});

// The contract's types, as clients (and the tests) send and read them.
export type GetBalanceResponse = ResponseDataOf<typeof balance, 200>;
export type AuditLedgerResponse = ResponseDataOf<typeof audit, 200>;
