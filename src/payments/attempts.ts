import {
  cardProblem,
  CARD_PROBLEM_MESSAGES,
  CARD_PROBLEM_PARAMS,
  simulateAuthorization,
  summarizeCard,
  type CardInput,
  type CardSummary,
} from "../domain/card-simulator";
import { beginAttempt, finishAttempt, paymentOf, type AttemptOutcome, type CheckoutState } from "../domain/checkout-machine";
import { refusal, type Outcome, type Refusal } from "../domain/outcome";
import { openPayment } from "../domain/payment-machine";
import { walletObject } from "../wallet/wallet-do";
import { cardFingerprint } from "./card-fingerprint";
import { notFound } from "./caller";
import type { CheckoutRecord } from "./checkout-record";
import type { PaymentStore } from "./payment-store";
import * as plan from "./step-plans";
import type { PaymentCall, PaymentRefusalCode, PayResult } from "./types";
import { payResult } from "./views";

/**
 * A buyer's payment attempts, each decided and recorded in the caller's transaction: nothing
 * awaits between reserving the attempt and recording what came of it (or the step that will say).
 */

/** The sandbox's confirmation code for wallet payments (the page says so). */
export const SANDBOX_OTP = "123456";

type At = { record: CheckoutRecord; call: PaymentCall; now_ms: number };

/** Why a card cannot be tried here at all (no attempt is used): the wrong kind, live mode, or a mistyped card. */
export function cardAttemptProblem(state: CheckoutState, card: CardInput, now_ms: number): Refusal<PaymentRefusalCode> | null {
  if (state.kind !== "intent") return refusal("checkout_not_open", "This checkout is paid from the buyer's wallet.");
  if (state.mode === "live")
    return refusal("card_processing_unavailable", "Live card payments need a card processor, which is not connected yet.");
  const problem = cardProblem(card, now_ms);
  return problem ? refusal("card_invalid", CARD_PROBLEM_MESSAGES[problem], CARD_PROBLEM_PARAMS[problem]) : null;
}

/** Why a wallet payment cannot be tried here at all: a card checkout, or live mode (no code sender yet). */
export function walletAttemptProblem(state: CheckoutState): Refusal<PaymentRefusalCode> | null {
  if (state.kind !== "session" || !state.buyer) return refusal("checkout_not_open", "This checkout is paid by card.");
  if (state.mode === "live")
    return refusal("otp_unavailable", "Live wallet payments need a confirmation-code sender, which is not connected yet.");
  return null;
}

/**
 * A wallet top-up past what the buyer's KYC level allows today is refused before the card is tried
 * (no attempt used). Advisory: the capture takes the allowance for real, in the wallet's transaction.
 */
export async function topUpProblem(env: Env, state: CheckoutState, now_ms: number, clock_offset_ms: number) {
  if (!state.top_up || !state.buyer) return null;
  const { wallet_id } = state.buyer;
  const call = { wallet_id, now_ms, clock_offset_ms, owner: plan.ownerOf(state), owner_verified: true };
  const { amount, kyc_limits } = state.top_up;
  const fits = await walletObject(env, wallet_id).checkTopUpAllowance(call, {
    operation_id: "",
    currency: state.currency,
    amount,
    kyc_limits,
  });
  if (fits.ok) return null;
  // The user's wallet answers not-found only to a caller that is not its owner, which this payment's merchant is.
  if (fits.code !== "limit_exceeded") throw new Error(`top-up allowance of ${state.id}: ${fits.code} ${fits.message}`);
  return refusal<PaymentRefusalCode>("limit_exceeded", fits.message, "amount");
}

export type ExaminedCard = { summary: CardSummary; decision: ReturnType<typeof simulateAuthorization> };

/** What is kept of a card (its summary and keyed fingerprint, never the number) and the sandbox simulator's decision. */
export async function examineCard(card: CardInput, encryption_key: string): Promise<ExaminedCard> {
  return { summary: summarizeCard(card, await cardFingerprint(card.number, encryption_key)), decision: simulateAuthorization(card) };
}

/**
 * A card attempt: the sandbox simulator decides at once; a decline uses an attempt. An approved
 * wallet top-up is captured at once: its capture is reserved and its step recorded in this same
 * transaction, and the answer is that step's (`seq`).
 */
export function cardAttempt(
  { record, call, now_ms }: At,
  store: PaymentStore,
  card: ExaminedCard,
): Outcome<PayResult | { seq: number }, PaymentRefusalCode> {
  const state = record.current();
  if (!state) return notFound();
  const started = beginAttempt(state, "card");
  if (!started.ok) return started;
  const { decision } = card;
  const payment = { id: plan.idsOf(state).payment, method: "card" as const, amount: state.amount, hold_id: null, card: card.summary };
  const outcome: AttemptOutcome = decision.approved
    ? { approved: true, payment: openPayment({ ...payment, now_ms }) }
    : { approved: false, decline_code: decision.decline_code, counts: true };
  const finished = finishAttempt(started.state, outcome);
  if (decision.approved && state.top_up) {
    const capturing = { ...finished.state, payment: { ...paymentOf(finished.state), pending: "capture" as const } };
    // The intent succeeds when the top-up is captured, not before: a refused capture fails it instead (step-completion.ts).
    const saved = record.save(
      capturing,
      finished.events.filter((type) => type !== "payment_intent.succeeded"),
      call,
      now_ms,
    );
    return { ok: true, seq: store.addStep(plan.topUpCaptureStep(saved, plan.causeOf(call)), Date.now()) };
  }
  const saved = record.save(finished.state, finished.events, call, now_ms);
  const declined = decision.approved ? null : { decline_code: decision.decline_code, message: decision.message };
  return { ok: true, ...payResult(saved, declined) };
}

export type WalletAttempt = Outcome<{ answered: PayResult } | { seq: number }, PaymentRefusalCode>;

/**
 * A wallet attempt: a wrong confirmation code is a decline that uses an attempt, answered at once;
 * otherwise the attempt is reserved and the hold on the buyer's wallet recorded as a step.
 */
export function walletAttempt({ record, call, now_ms }: At, store: PaymentStore, otp: string): WalletAttempt {
  const state = record.current();
  if (!state) return notFound();
  const started = beginAttempt(state, "wallet");
  if (!started.ok) return started;
  if (otp !== SANDBOX_OTP) {
    const finished = finishAttempt(started.state, { approved: false, decline_code: "invalid_otp", counts: true });
    const saved = record.save(finished.state, finished.events, call, now_ms);
    const message = `The confirmation code is not right. In sandbox it is always ${SANDBOX_OTP}.`;
    return { ok: true, answered: payResult(saved, { decline_code: "invalid_otp", message }) };
  }
  record.save(started.state, [], call, now_ms);
  const step = plan.authorizeStep(state, started.attempt, now_ms, plan.causeOf(call));
  return { ok: true, seq: store.addStep(step, Date.now()) };
}
