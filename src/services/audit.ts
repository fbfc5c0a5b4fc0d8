import type { Database } from "../db/client";
import { listMerchantWalletIds } from "../db/wallets";
import type { Clock } from "../domain/clock";
import type { Currency } from "../domain/currencies";
import type { MerchantCaller } from "../http/context";
import type { AuditTotals } from "../wallet/types";
import { platformWalletId, walletCall, walletStub } from "./wallets";

/** How many wallet objects the audit asks at once. */
const FAN_OUT = 50;

/**
 * The conservation check for one merchant and mode (DESIGN.md, "Money rules"): the totals of its
 * users' wallets and its settlement wallet, plus what is still in their outboxes, plus the commission
 * the platform received from it, must equal external credits minus external debits.
 * Outboxes are flushed first, so the answer is exact whenever no money is moving.
 */
export async function auditLedger(env: Env, db: Database, merchant: MerchantCaller, currency: Currency, clock: Clock) {
  const wallet_ids = await listMerchantWalletIds(db, merchant.merchant_id, merchant.mode);
  const totals: AuditTotals[] = [];
  for (let i = 0; i < wallet_ids.length; i += FAN_OUT) {
    const chunk = wallet_ids.slice(i, i + FAN_OUT);
    totals.push(
      ...(await Promise.all(
        chunk.map(async (id) => {
          const stub = walletStub(env, id);
          await stub.flushOutbox(walletCall(id, clock, merchant));
          return stub.auditTotals(walletCall(id, clock, merchant), currency);
        }),
      )),
    );
  }
  const platformId = platformWalletId(merchant.mode);
  const platform = await walletStub(env, platformId).auditTotals(walletCall(platformId, clock), currency);
  const sum = (pick: (t: AuditTotals) => number) => totals.reduce((acc, t) => acc + pick(t), 0);
  const wallets_total = sum((t) => t.total);
  const outbox_pending = sum((t) => t.outbox_pending);
  const platform_commission = platform.commission_received[merchant.merchant_id] ?? 0;
  const external_credits = sum((t) => t.external_in);
  const external_debits = sum((t) => t.external_out);
  return {
    currency,
    wallet_count: wallet_ids.length,
    wallets_total,
    outbox_pending,
    platform_commission,
    external_credits,
    external_debits,
    balanced: wallets_total + outbox_pending + platform_commission === external_credits - external_debits,
  };
}
