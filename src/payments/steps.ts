import { paymentOf, type CheckoutState } from "../domain/checkout-machine";
import { refundCommission, type StepResult } from "../domain/payment-machine";
import type { CardCaptureRequest } from "../wallet/requests";
import type { CallContext } from "../wallet/types";
import { walletObject } from "../wallet/wallet-do";
import type { PaymentStep } from "./types";

/**
 * Carries out one step on the wallets it concerns. Every wallet operation id is derived from the
 * payment and the step (`pay_…:capture`, `rfn_…:merchant`), so running a step again after a crash
 * replays the wallet's first answer instead of moving money twice. A business refusal is an
 * answer; anything thrown is transient and the step is retried.
 */

export async function executeStep(
  env: Env,
  step: PaymentStep,
  state: CheckoutState,
  now_ms: number,
  clock_offset_ms: number,
): Promise<StepResult> {
  const call = (wallet_id: string): CallContext => ({ wallet_id, now_ms, clock_offset_ms, owner: step.owner, owner_verified: true });
  const wallet = (wallet_id: string) => walletObject(env, wallet_id);
  switch (step.kind) {
    case "authorize_wallet": {
      const held = await wallet(step.wallet_id).placeHold(call(step.wallet_id), {
        operation_id: `${step.payment_id}:authorize:${step.attempt}`,
        hold_id: step.hold_id,
        user_id: step.user_id,
        payment_id: step.payment_id,
        currency: step.currency,
        amount: step.amount,
        description: state.description,
        reference: null,
        expires_at_ms: step.expires_at_ms,
      });
      if (held.ok) return { kind: "authorized" };
      if (held.code === "insufficient_funds")
        return {
          kind: "declined",
          decline_code: "insufficient_funds",
          message: `Your wallet does not have enough ${state.currency} available for this payment.`,
        };
      throw new Error(`authorizing ${step.payment_id}: ${held.code} ${held.message}`);
    }
    case "capture_wallet": {
      const captured = await wallet(step.wallet_id).captureHold(call(step.wallet_id), {
        operation_id: `${step.payment_id}:capture`,
        hold_id: step.hold_id,
        payment_id: step.payment_id,
        amount: step.amount,
        commission_bps: step.commission_bps,
        settlement_wallet_id: step.settlement_wallet_id,
        platform_wallet_id: step.platform_wallet_id,
      });
      if (captured.ok) return { kind: "done" };
      if (captured.code === "hold_not_active" || captured.code === "not_found")
        return { kind: "refused", code: captured.code, message: "The authorization is no longer held." };
      throw new Error(`capturing ${step.payment_id}: ${captured.code}`);
    }
    case "capture_card": {
      const credited = await wallet(step.settlement_wallet_id).creditCardCapture(call(step.settlement_wallet_id), cardCharge(step, state));
      if (credited.ok) return { kind: "done" };
      if (credited.code === "balance_limit_exceeded") return { kind: "refused", code: credited.code, message: credited.message };
      throw new Error(`capturing ${step.payment_id}: ${credited.code}`);
    }
    case "capture_top_up":
      return captureTopUp(step, state, wallet, call);
    case "release": {
      if (!step.wallet_id || !step.hold_id) return { kind: "done" };
      const released = await wallet(step.wallet_id).releaseHold(call(step.wallet_id), {
        operation_id: `${step.payment_id}:release`,
        hold_id: step.hold_id,
        payment_id: step.payment_id,
      });
      // Already no longer active: the wallet's own backstop expiry released it first.
      if (released.ok || released.code === "hold_not_active") return { kind: "done" };
      throw new Error(`releasing ${step.payment_id}: ${released.code}`);
    }
    case "refund":
      return refund(step, state, wallet, call);
  }
}

/**
 * A refund returns money from the merchant's settlement wallet and the commission from the
 * merchant's share of the platform's revenue (commission is recalculated on what remains
 * captured). Steps run one at a time, so the commission returned is computed from the refunds
 * already completed and is exact. A wallet payment's refund lands in the buyer's wallet; a card's
 * leaves the system.
 */
async function refund(
  step: Extract<PaymentStep, { kind: "refund" }>,
  state: CheckoutState,
  wallet: (id: string) => ReturnType<typeof walletObject>,
  call: (id: string) => CallContext,
): Promise<StepResult> {
  const commission = refundCommission(paymentOf(state), step.amount);
  const legs = [
    { from: step.settlement_wallet_id, amount: step.amount - commission, operation_id: `${step.refund_id}:merchant` },
    { from: step.platform_wallet_id, amount: commission, operation_id: `${step.refund_id}:commission` },
  ];
  for (const [index, leg] of legs.entries()) {
    if (leg.amount === 0) continue;
    const move = {
      operation_id: leg.operation_id,
      currency: step.currency,
      amount: leg.amount,
      description: "Refund",
      reference: step.refund_id,
    };
    const paid = step.to_wallet_id
      ? await wallet(leg.from).refundToWallet(call(leg.from), { ...move, to_wallet_id: step.to_wallet_id })
      : await wallet(leg.from).refundToCard(call(leg.from), move);
    if (paid.ok) continue;
    // Only the merchant's leg can be short; it runs first, so a refused refund moved nothing.
    if (index === 0 && paid.code === "insufficient_funds") {
      return {
        kind: "refused",
        code: "insufficient_funds",
        message: `Your settlement wallet does not have ${leg.amount} ${step.currency} available to refund.`,
      };
    }
    throw new Error(`refunding ${step.refund_id} from ${leg.from}: ${paid.code}`);
  }
  return { kind: "refunded", commission_returned: commission };
}

/**
 * A wallet top-up's capture: first its share of the buyer's daily top-up allowance (a refusal ends
 * it before any money moves), then the charge on the merchant's settlement wallet, which sends the
 * fee to the platform and the top-up to the buyer's wallet through its outbox. If the settlement
 * wallet refuses (it cannot cover a fee the merchant bears, or the merchant's bound), the allowance
 * is given back. Every call has its own operation id, so a retried step repeats none of them.
 */
async function captureTopUp(
  step: Extract<PaymentStep, { kind: "capture_top_up" }>,
  state: CheckoutState,
  wallet: (id: string) => ReturnType<typeof walletObject>,
  call: (id: string) => CallContext,
): Promise<StepResult> {
  const allowance = { operation_id: `${step.payment_id}:top_up_allowance`, currency: step.currency, amount: step.top_up_amount };
  const taken = await wallet(step.wallet_id).takeTopUpAllowance(call(step.wallet_id), { ...allowance, kyc_limits: step.kyc_limits });
  if (!taken.ok) {
    if (taken.code === "limit_exceeded") return { kind: "refused", code: taken.code, message: taken.message };
    throw new Error(`top-up allowance for ${step.payment_id}: ${taken.code}`);
  }
  const credited = await wallet(step.settlement_wallet_id).creditCardTopUp(call(step.settlement_wallet_id), {
    ...cardCharge(step, state),
    top_up_amount: step.top_up_amount,
    to_wallet_id: step.wallet_id,
  });
  if (credited.ok) return { kind: "done" };
  if (credited.code !== "insufficient_funds" && credited.code !== "balance_limit_exceeded")
    throw new Error(`top-up capture ${step.payment_id}: ${credited.code}`);
  const back = { ...allowance, operation_id: `${allowance.operation_id}:give_back`, taken_at_ms: taken.taken_at_ms };
  const given = await wallet(step.wallet_id).giveBackTopUpAllowance(call(step.wallet_id), back);
  if (!given.ok) throw new Error(`giving back the allowance of ${step.payment_id}: ${given.code}`);
  return { kind: "refused", code: credited.code, message: credited.message };
}

/** A card's charge landing on the settlement wallet, under the payment's capture operation id. */
function cardCharge(step: Extract<PaymentStep, { kind: "capture_card" | "capture_top_up" }>, state: CheckoutState): CardCaptureRequest {
  return {
    operation_id: `${step.payment_id}:capture`,
    currency: step.currency,
    gross: step.amount,
    commission: step.commission,
    platform_wallet_id: step.platform_wallet_id,
    reference: step.payment_id,
    description: state.description,
  };
}
