import { database } from "../db/client";
import { listDueCheckouts } from "../db/payments";
import { listDuePayouts } from "../db/payouts";
import { listUserWalletIds } from "../db/wallets";
import { chunks } from "../domain/chunks";
import type { Clock } from "../domain/clock";
import { objectKeyOf } from "../domain/ids";
import type { MerchantCaller } from "../domain/callers";
import { merchantPaymentCall, paymentStub } from "./payments";
import { merchantPayoutCall, payoutObjectFor } from "./payouts";
import { walletCall, walletStub } from "./wallets";

/** How many due checkouts one clock move fires; a move past more fires the rest as they are next read or by their alarms. */
const MAX_FIRED = 500;

/**
 * After a sandbox clock move, the checkouts whose deadline (expiry, or the 7-day auto-void of their
 * payment) has now passed fire at once, with their events, as if the time had passed — found
 * through the D1 index, which trails each object by a moment.
 */
export async function fireDueCheckouts(env: Env, merchant: MerchantCaller, clock: Clock, request_id: string): Promise<void> {
  const due = await listDueCheckouts(database(env.DB), merchant.merchant_id, merchant.mode, clock.now_ms(), MAX_FIRED);
  await Promise.all(
    due.map((id) => {
      const key = objectKeyOf(id, id.startsWith("pi_") ? "intent" : "session");
      return key ? paymentStub(env, key).runDue(merchantPaymentCall(merchant, clock, { request_id })) : undefined;
    }),
  );
}

/** How many users' wallets one clock move visits, and how many at once. */
const MAX_WALLETS_VISITED = 2_000;
const WALLETS_AT_ONCE = 50;

/**
 * After a sandbox clock move, holds whose expires_at has now passed expire at once, with their
 * hold.expired events, as if the time had passed. No index says which wallets hold expiring holds,
 * so the move visits the merchant's users' wallets (sandbox only, and bounded: past the bound, a
 * wallet's holds expire when it is next touched or by its own alarm).
 */
export async function fireDueHolds(env: Env, merchant: MerchantCaller, clock: Clock, request_id: string): Promise<void> {
  const wallet_ids = await listUserWalletIds(database(env.DB), merchant.merchant_id, merchant.mode, MAX_WALLETS_VISITED);
  for (const batch of chunks(wallet_ids, WALLETS_AT_ONCE)) {
    await Promise.all(
      batch.map((wallet_id) =>
        walletStub(env, wallet_id).fireDue(walletCall(wallet_id, clock, merchant, "registry", { request_id, idempotency_key: null })),
      ),
    );
  }
}

/** How many payouts one clock move plays; past that, the rest play as they are next read or by their alarms. */
const MAX_PAYOUTS_FIRED = 500;

/** After a sandbox clock move, what the rail did meanwhile happens at once, with its events (found through the D1 index). */
export async function fireDuePayouts(env: Env, merchant: MerchantCaller, clock: Clock, request_id: string): Promise<void> {
  const due = await listDuePayouts(database(env.DB), merchant.merchant_id, merchant.mode, clock.now_ms(), MAX_PAYOUTS_FIRED);
  await Promise.all(due.map((id) => payoutObjectFor(env, id).runDue(merchantPayoutCall(merchant, clock, { request_id }))));
}
