import type { Database } from "../db/client";
import { listMerchantWalletIds } from "../db/wallets";
import type { Clock } from "../domain/clock";
import type { Currency } from "../domain/currencies";
import type { AuditTotals, WalletOwner } from "../wallet/types";
import { unwrap } from "../domain/outcome";
import { platformWalletId, walletCall, walletStub } from "./wallets";
import { chunks } from "../domain/chunks";

/** How many wallet objects the audit asks at once. */
const FAN_OUT = 50;

/**
 * The conservation check for one merchant and mode (docs/architecture.md, "Money rules"): the totals of its
 * users' wallets and its settlement wallet, plus what is still in their outboxes, plus the
 * commission the platform took from it, must equal external credits minus external debits.
 * Outboxes are flushed first, so the answer is exact whenever no money is moving. Sums are BigInt:
 * exact however large, though the issuance bound keeps them far below 2^53. Every wallet also
 * re-counts its holds in full, which the write path checks only incrementally.
 */
export async function auditLedger(env: Env, db: Database, merchant: WalletOwner, currency: Currency, clock: Clock) {
  const merchant_wallets = await listMerchantWalletIds(db, merchant.merchant_id, merchant.mode);
  const platform_wallet = platformWalletId(merchant);
  const totals: (AuditTotals & { id: string })[] = [];
  for (const chunk of chunks([...merchant_wallets, platform_wallet], FAN_OUT)) {
    totals.push(
      ...(await Promise.all(
        chunk.map(async (id) => {
          const stub = walletStub(env, id);
          const call = walletCall(id, clock, merchant, "registry");
          unwrap(await stub.flushOutbox(call), { what: "wallet", param: "id" });
          return { id, ...unwrap(await stub.auditTotals(call, currency), { what: "wallet", param: "id" }) };
        }),
      )),
    );
  }
  const sum = (pick: (t: AuditTotals) => number, only = (_t: AuditTotals & { id: string }) => true) =>
    totals.filter(only).reduce((acc, t) => acc + BigInt(pick(t)), 0n);
  const isPlatform = (t: { id: string }) => t.id === platform_wallet;
  const wallets_total = sum(
    (t) => t.total,
    (t) => !isPlatform(t),
  );
  const platform_commission = sum((t) => t.total, isPlatform);
  const outbox_pending = sum((t) => t.outbox_pending);
  const external_credits = sum((t) => t.external_in);
  const external_debits = sum((t) => t.external_out);
  return {
    currency,
    wallet_count: merchant_wallets.length,
    wallets_total: exact(wallets_total),
    outbox_pending: exact(outbox_pending),
    platform_commission: exact(platform_commission),
    external_credits: exact(external_credits),
    external_debits: exact(external_debits),
    holds_consistent: totals.every((t) => t.holds_consistent),
    balanced: wallets_total + outbox_pending + platform_commission === external_credits - external_debits,
  };
}

/** A sum as a JSON number; the issuance bound keeps it safe, and this says so loudly if it ever is not. */
function exact(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER))
    throw new Error(`audit sum ${value} is beyond 2^53`);
  return Number(value);
}
