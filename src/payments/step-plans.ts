import { assert } from "../domain/assert";
import { paymentOf, type CheckoutState } from "../domain/checkout-machine";
import { checkoutIds, newWalletScopedId, objectKeyOf } from "../domain/ids";
import { AUTHORIZATION_LIFETIME_MS } from "../domain/payment-machine";
import type { WalletOwner } from "../wallet/types";
import type { PaymentCall, PaymentStep } from "./types";

/**
 * The steps a payment records before it calls any wallet, built from its state. Pure: the object
 * decides with the machines, records the step these build, and runs it later (payments/steps.ts).
 */

/** A wallet hold outlives the payment's own 7-day deadline by an hour: the wallet releases it even if the payment never returns. */
const HOLD_BACKSTOP_MS = 60 * 60 * 1000;

export type Cause = PaymentStep["cause"];

/** A deadline that fired on its own (the alarm, or a read that found it due) names no request. */
export const NO_CAUSE: Cause = { request_id: null, idempotency_key: null };

export interface MoneyDestinations {
  settlement_wallet_id: string;
  platform_wallet_id: string;
}

export function causeOf(call: PaymentCall): Cause {
  return { request_id: call.request_id ?? null, idempotency_key: call.idempotency_key ?? null };
}

export function ownerOf(state: CheckoutState): WalletOwner {
  return { merchant_id: state.merchant_id, mode: state.mode };
}

/** The key every id of this checkout shares (its session or intent id's random part). */
export function objectKey(state: CheckoutState): string {
  const key = objectKeyOf(state.id, state.kind);
  assert(key !== null, `checkout ${state.id} does not carry an object key`);
  return key;
}

export function idsOf(state: CheckoutState) {
  return checkoutIds(objectKey(state), state.mode);
}

/** The buyer's wallet a wallet payment was made from. */
function buyerWallet(state: CheckoutState): string {
  assert(state.buyer !== null, `checkout ${state.id} has no buyer`);
  return state.buyer.wallet_id;
}

export function authorizeStep(state: CheckoutState, attempt: number, now_ms: number, cause: Cause): PaymentStep {
  assert(state.buyer !== null, `checkout ${state.id} has no buyer to authorize`);
  return {
    kind: "authorize_wallet",
    attempt,
    wallet_id: state.buyer.wallet_id,
    hold_id: newWalletScopedId("hold", state.buyer.wallet_id),
    user_id: state.buyer.user_id,
    amount: state.amount,
    currency: state.currency,
    expires_at_ms: now_ms + AUTHORIZATION_LIFETIME_MS + HOLD_BACKSTOP_MS,
    payment_id: idsOf(state).payment,
    owner: ownerOf(state),
    operation_id: null,
    cause,
  };
}

export function captureStep(
  state: CheckoutState,
  capture: { amount: number; commission: number; commission_bps: number } & MoneyDestinations,
  operation_id: string,
  cause: Cause,
): PaymentStep {
  const p = paymentOf(state);
  const common = { ...capture, payment_id: p.id, owner: ownerOf(state), operation_id, cause };
  if (p.method === "card") return { ...common, kind: "capture_card", currency: state.currency };
  assert(p.hold_id !== null, `wallet payment ${p.id} has no hold`);
  return { ...common, kind: "capture_wallet", wallet_id: buyerWallet(state), hold_id: p.hold_id };
}

export function releaseStep(state: CheckoutState, reason: "void" | "deadline", operation_id: string | null, cause: Cause): PaymentStep {
  const p = paymentOf(state);
  const wallet_id = p.method === "wallet" ? buyerWallet(state) : null;
  return { kind: "release", reason, wallet_id, hold_id: p.hold_id, payment_id: p.id, owner: ownerOf(state), operation_id, cause };
}

export function refundStep(
  state: CheckoutState,
  refund: { refund_id: string; amount: number } & MoneyDestinations,
  operation_id: string,
  cause: Cause,
): PaymentStep {
  const p = paymentOf(state);
  return {
    ...refund,
    kind: "refund",
    currency: state.currency,
    to_wallet_id: p.method === "wallet" ? buyerWallet(state) : null,
    payment_id: p.id,
    owner: ownerOf(state),
    operation_id,
    cause,
  };
}

/**
 * A wallet top-up is captured the moment its card is approved, in the same transaction: the whole
 * charge, the fee as the commission, the top-up to the buyer's wallet (payments/steps.ts).
 */
export function topUpCaptureStep(state: CheckoutState, cause: Cause): PaymentStep {
  const p = paymentOf(state);
  const top_up = state.top_up;
  assert(top_up != null && state.buyer !== null, `checkout ${state.id} is not a wallet top-up`);
  return {
    kind: "capture_top_up",
    amount: p.amount,
    commission: top_up.fee_amount,
    commission_bps: top_up.commission_bps,
    currency: state.currency,
    settlement_wallet_id: top_up.settlement_wallet_id,
    platform_wallet_id: top_up.platform_wallet_id,
    wallet_id: state.buyer.wallet_id,
    top_up_amount: top_up.amount,
    kyc_limits: top_up.kyc_limits,
    payment_id: p.id,
    owner: ownerOf(state),
    operation_id: null,
    cause,
  };
}
