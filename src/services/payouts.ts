import { database } from "../db/client";
import { listPayouts, type PayoutFilters } from "../db/payouts";
import type { MerchantCaller } from "../domain/callers";
import type { Clock } from "../domain/clock";
import { notFound } from "../domain/errors";
import { objectKeyOf } from "../domain/ids";
import { guardedStub } from "../objects/object-capacity";
import { commissionMinor } from "../domain/money";
import type { PayoutFee } from "../domain/payout-machine";
import { merchantPaymentCall } from "./payments";
import { platformWalletId } from "./wallets";
import type { PayoutDO } from "../payouts/payout-do";
import type { PayoutCall } from "../payouts/types";
import type { PayoutView } from "../payouts/views";

/** The payout object a payout id leads to, without a lookup; a 404 when the id is none of ours. */
export function payoutObjectFor(env: Env, id: string, param = "id"): DurableObjectStub<PayoutDO> {
  const key = objectKeyOf(id, "payout");
  if (!key) throw notFound("payout", param);
  return payoutStub(env, key);
}

export function payoutStub(env: Env, object_key: string): DurableObjectStub<PayoutDO> {
  const stub = env.PAYOUT.get(env.PAYOUT.idFromName(object_key)) as DurableObjectStub<PayoutDO>;
  return guardedStub(`payout:${object_key}`, stub);
}

/**
 * The fee on a user's payout: the merchant's `payout_fee_bps` of the amount, rounded as every
 * commission is, for the merchant's share of the platform's wallet; null when there is none.
 */
export function payoutFee(merchant: MerchantCaller, amount: number): PayoutFee | null {
  const fee = commissionMinor(amount, merchant.payout_fee_bps);
  return fee === 0 ? null : { amount: fee, platform_wallet_id: platformWalletId(merchant) };
}

/** A merchant's call to a payout object: the same as to a payment object (who, on whose clock, caused by which request). */
export function merchantPayoutCall(
  merchant: MerchantCaller,
  clock: Clock,
  cause: { request_id: string; idempotency_key?: string | null },
): PayoutCall {
  const { checkout_id: _, client_secret: __, ...call } = merchantPaymentCall(merchant, clock, cause);
  return call;
}

/**
 * One page of a merchant's payouts, newest first: found through the D1 index (its filters trail
 * the objects by a moment), each read from its own object so what it shows is current. The API and
 * the dashboard both list through here.
 */
export async function listPayoutPage(
  env: Env,
  call: PayoutCall,
  filters: PayoutFilters,
  page: { limit: number; offset: number },
): Promise<{ payouts: PayoutView[]; total: number }> {
  const { merchant_id, mode } = call.owner;
  const found = await listPayouts(database(env.DB), merchant_id, mode, filters, page.limit, page.offset);
  const answers = await Promise.all(found.ids.map((id) => payoutObjectFor(env, id).retrieve(call)));
  return { payouts: answers.flatMap((answer) => (answer.ok ? [answer.payout] : [])), total: found.total };
}

/** Cancels a pending payout (the API and the dashboard); the answer once its hold is released. */
export function cancelPayout(env: Env, call: PayoutCall, id: string, operation_id: string) {
  return payoutObjectFor(env, id).cancel(call, operation_id);
}
