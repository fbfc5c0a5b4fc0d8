import { refusal } from "../domain/outcome";
import { paymentOf, type CheckoutState } from "../domain/checkout-machine";
import { newRefundId } from "../domain/ids";
import type { Outcome } from "../domain/outcome";
import { beginCapture, beginRefund, beginVoid, type PaymentState } from "../domain/payment-machine";
import type { RefundRow } from "./payment-store";
import * as plan from "./step-plans";
import type { CreateRequest, PaymentRefusalCode, PaymentStep } from "./types";
import { canonicalJson } from "../domain/fingerprint";
import { fingerprint } from "../objects/operation-log";

/**
 * What a merchant's capture, void or refund decides, before anything awaits: the payment's next
 * state (the amount reserved) and the step that will move the money, or the machine's refusal.
 */
export type Decided = Outcome<{ payment: PaymentState; step: PaymentStep; refund?: NewRefund }, PaymentRefusalCode>;
export type NewRefund = Omit<RefundRow, "commission_returned" | "failure_message" | "completed_at_ms" | "status">;

export interface CaptureRequest extends plan.MoneyDestinations {
  operation_id: string;
  amount?: number;
  commission_bps: number;
}

export interface RefundRequest extends plan.MoneyDestinations {
  operation_id: string;
  amount?: number;
  reason: string;
  metadata: Record<string, string | number | boolean | null>;
}

/**
 * What a create request does, for its operation's fingerprint: not the minted secret or URL, and
 * `auto` (the default locale) left out, so a request's fingerprint is what it was before checkouts
 * had a locale.
 */
export function createFingerprint(request: CreateRequest): string {
  const { operation_id: _, client_secret: __, checkout_url: ___, locale, top_up, ...fields } = request;
  const buyer = fields.buyer?.user_id ?? null;
  // A top-up's request is its amount and who bears the fee; the charge follows from the commission of the moment.
  const asked = top_up ? { amount: top_up.amount, purpose: "wallet_top_up", fee_bearer: top_up.fee_bearer } : {};
  return fingerprint("create", {
    ...fields,
    metadata: canonicalJson(fields.metadata),
    buyer,
    ...(locale === "auto" ? {} : { locale }),
    ...asked,
  });
}

export function refundFingerprint(request: RefundRequest): string {
  return fingerprint("refund", { amount: request.amount, reason: request.reason, metadata: canonicalJson(request.metadata) });
}

export function decideCapture(state: CheckoutState, request: CaptureRequest, now_ms: number, cause: plan.Cause): Decided {
  const { operation_id, amount, commission_bps, settlement_wallet_id, platform_wallet_id } = request;
  const begun = beginCapture(paymentOf(state), amount, commission_bps, now_ms);
  if (!begun.ok) return begun;
  const capture = { amount: begun.amount, commission: begun.commission, commission_bps, settlement_wallet_id, platform_wallet_id };
  return { ok: true, payment: begun.payment, step: plan.captureStep(state, capture, operation_id, cause) };
}

export function decideVoid(state: CheckoutState, operation_id: string, cause: plan.Cause): Decided {
  const begun = beginVoid(paymentOf(state));
  if (!begun.ok) return begun;
  return { ok: true, payment: begun.payment, step: plan.releaseStep(state, "void", operation_id, cause) };
}

/** A refund also names the refund row to record with it (its id minted here, under the checkout's key). */
export function decideRefund(state: CheckoutState, request: RefundRequest, now_ms: number, cause: plan.Cause): Decided {
  const { operation_id, reason, metadata, settlement_wallet_id, platform_wallet_id } = request;
  // The top-up is the user's money now, in their wallet: it leaves by a payout or a transfer, not back to the card.
  if (state.top_up)
    return refusal("payment_not_refundable", "A wallet top-up is not refunded to the card: the money is in the user's wallet.");
  const begun = beginRefund(paymentOf(state), request.amount, now_ms);
  if (!begun.ok) return begun;
  const id = newRefundId(plan.objectKey(state));
  const refund = { id, amount: begun.amount, reason, metadata: JSON.stringify(metadata), created_at_ms: now_ms };
  const step = plan.refundStep(
    state,
    { refund_id: id, amount: begun.amount, settlement_wallet_id, platform_wallet_id },
    operation_id,
    cause,
  );
  return { ok: true, payment: begun.payment, step, refund };
}
