import { finishAttempt, type AttemptOutcome, type CheckoutState } from "../domain/checkout-machine";
import {
  captureRefusal,
  finishCapture,
  finishRefund,
  finishVoid,
  openPayment,
  refundRefusal,
  type StepResult,
} from "../domain/payment-machine";
import { assert } from "../domain/assert";
import type { CheckoutRecord } from "./checkout-record";
import type { PaymentStore } from "./payment-store";
import { paymentOf } from "../domain/checkout-machine";
import type { PaymentStep } from "./types";
import type { CheckoutEventType } from "../domain/events";
import { cancelRedirect } from "../domain/redirects";
import { payResult, paymentView, refundAnswer } from "./views";

/**
 * A step's result, recorded: the machine's finishing transition and its events, in the caller's
 * transaction, and the answer for whoever awaits the step. One function per kind of step.
 */
export function completeStep(record: CheckoutRecord, store: PaymentStore, step: PaymentStep, result: StepResult, now_ms: number): unknown {
  const state = record.current();
  assert(state !== null, `step for ${step.payment_id} completed on an object with no checkout`);
  const at = { record, state, now_ms, cause: step.cause };
  switch (step.kind) {
    case "authorize_wallet":
      return authorized(at, step, result);
    case "capture_wallet":
    case "capture_card":
      return captured(at, step, result);
    case "capture_top_up":
      return toppedUp(at, step, result);
    case "release":
      return released(at, step);
    case "refund":
      return refunded(at, store, step, result);
  }
}

interface At {
  record: CheckoutRecord;
  state: CheckoutState;
  now_ms: number;
  cause: PaymentStep["cause"];
}
type StepOf<K extends PaymentStep["kind"]> = Extract<PaymentStep, { kind: K }>;

/** A wallet hold placed (the checkout is authorized) or refused (a decline that does not use an attempt). */
function authorized({ record, state, now_ms, cause }: At, step: StepOf<"authorize_wallet">, result: StepResult): unknown {
  const outcome: AttemptOutcome =
    result.kind === "authorized"
      ? {
          approved: true,
          payment: openPayment({ id: step.payment_id, method: "wallet", amount: step.amount, hold_id: step.hold_id, card: null, now_ms }),
        }
      : { approved: false, decline_code: result.kind === "declined" ? result.decline_code : "declined", counts: false };
  const finished = finishAttempt(state, outcome);
  const saved = record.save(finished.state, finished.events, cause, now_ms);
  const declined = result.kind === "declined" ? { decline_code: result.decline_code, message: result.message } : null;
  return { ok: true, ...payResult(saved, declined) };
}

function captured({ record, state, now_ms, cause }: At, step: StepOf<"capture_wallet" | "capture_card">, result: StepResult): unknown {
  const capture = result.kind === "done" ? { amount: step.amount, commission: step.commission, commission_bps: step.commission_bps } : null;
  const finished = finishCapture(paymentOf(state), capture, now_ms);
  const saved = record.save({ ...state, payment: finished.payment }, finished.events, cause, now_ms);
  return captureRefusal(result) ?? { ok: true, payment: paymentView(saved) };
}

/**
 * A wallet top-up captured — the intent succeeds, the payment is captured and the wallet topped
 * up: three facts of one change — or refused: its authorization is voided at once (a card's void
 * moves no money) and the intent fails, with the reason as its decline code. Answers the buyer's
 * payment attempt, which waited for it.
 */
function toppedUp({ record, state, now_ms, cause }: At, step: StepOf<"capture_top_up">, result: StepResult): unknown {
  const payment = paymentOf(state);
  if (result.kind === "done") {
    const capture = { amount: step.amount, commission: step.commission, commission_bps: step.commission_bps };
    const finished = finishCapture(payment, capture, now_ms);
    const events: CheckoutEventType[] = ["payment_intent.succeeded", ...finished.events, "wallet.topped_up"];
    const saved = record.save({ ...state, payment: finished.payment }, events, cause, now_ms);
    return { ok: true, ...payResult(saved, null), message: "Your wallet was topped up." };
  }
  const voided = finishVoid(finishCapture(payment, null, now_ms).payment, "void");
  const decline_code = result.kind === "refused" ? result.code : "failed";
  const failed = { ...state, status: "failed" as const, closed_reason: "top_up_refused" as const, last_decline_code: decline_code };
  const saved = record.save({ ...failed, payment: voided.payment }, ["payment_intent.payment_failed", ...voided.events], cause, now_ms);
  const message = result.kind === "refused" ? result.message : "The top-up failed.";
  return { ok: true, status: "failed", decline_code, message, redirect_url: cancelRedirect(saved), attempts_remaining: 0 };
}

function released({ record, state, now_ms, cause }: At, step: StepOf<"release">): unknown {
  const finished = finishVoid(paymentOf(state), step.reason);
  const saved = record.save({ ...state, payment: finished.payment }, finished.events, cause, now_ms);
  return { ok: true, payment: paymentView(saved) };
}

/** A refund made or refused: the reserved amount is settled either way, and the refund row says which. */
function refunded({ record, state, now_ms, cause }: At, store: PaymentStore, step: StepOf<"refund">, result: StepResult): unknown {
  const made = result.kind === "refunded" ? { amount: step.amount, commission_returned: result.commission_returned } : null;
  const finished = finishRefund(paymentOf(state), made ?? { amount: step.amount, failed: true });
  const failure_message = result.kind === "refused" ? result.message : "failed";
  store.settleRefund(step.refund_id, made ? { commission_returned: made.commission_returned } : { failure_message }, now_ms);
  const saved = record.save({ ...state, payment: finished.payment }, finished.events, cause, now_ms, step.refund_id);
  const refund = store.getRefund(step.refund_id);
  assert(refund !== null, `refund ${step.refund_id} was settled but is not stored`);
  return refundRefusal(result) ?? { ok: true, ...refundAnswer(saved, refund, store.refunds()) };
}
