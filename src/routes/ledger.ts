import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { errors, MERCHANT_AUTH, success } from "../http/openapi";
import { auditLedger } from "../services/audit";
import { requireSettlementWallet, walletCall, walletStub } from "../services/wallets";
import { Balance, currency } from "./schemas";

// ---- Contract ---------------------------------------------------------------------------------

const balance = createRoute({
  method: "get",
  path: "/balance",
  tags: ["Ledger"],
  summary: "Your settlement wallet: captured funds, less commission",
  security: MERCHANT_AUTH,
  responses: { 200: success(z.object({ wallet_id: z.string(), balances: z.array(Balance) }), "Your balance"), ...errors(401, 403) },
});

const Audit = z
  .object({
    currency,
    wallet_count: z.number().int(),
    wallets_total: z.number().int().openapi({ description: "Sum of available + held over your users' wallets and your settlement wallet" }),
    outbox_pending: z.number().int().openapi({ description: "Money on its way between wallets" }),
    platform_commission: z.number().int().openapi({ description: "Commission the platform received from your captures" }),
    external_credits: z.number().int().openapi({ description: "Money that entered: sandbox top-ups, card captures" }),
    external_debits: z.number().int().openapi({ description: "Money that left: payouts, card refunds" }),
    balanced: z.boolean().openapi({ description: "wallets_total + outbox_pending + platform_commission = external_credits - external_debits" }),
  })
  .openapi("LedgerAudit");

const audit = createRoute({
  method: "get",
  path: "/ledger/audit",
  tags: ["Ledger"],
  summary: "Conservation check: no money appeared or vanished, for your merchant and mode",
  security: MERCHANT_AUTH,
  request: { query: z.object({ currency }) },
  responses: { 200: success(Audit, "The sums"), ...errors(401, 403, 422) },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const ledgerRoutes = new OpenAPIHono<AppEnv>();

ledgerRoutes.openapi(balance, async (c) => {
  const wallet_id = await requireSettlementWallet(database(c.env.DB), c.get("merchant"));
  const balances = await walletStub(c.env, wallet_id).balances(walletCall(wallet_id, c.get("clock"), c.get("merchant")));
  return c.json(ok({ wallet_id, balances }), 200);
});

ledgerRoutes.openapi(audit, async (c) => {
  const result = await auditLedger(c.env, database(c.env.DB), c.get("merchant"), c.req.valid("query").currency, c.get("clock"));
  return c.json(ok(result), 200);
});
