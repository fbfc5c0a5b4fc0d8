import type { CardSummary } from "./card-simulator";
import type { CheckoutEventType } from "./events";
import { assert } from "./assert";
import { commissionMinor } from "./money";
import { refusal, type Outcome, type Refusal } from "./outcome";

/**
 * A payment — what an authorized checkout opened — as a pure state machine:
 *
 *   authorized ──capture (≤ authorized)──▶ captured ──refund──▶ partially_refunded ──▶ refunded
 *       ├──void──▶ voided
 *       └──7 days uncaptured──▶ expired
 *
 * A capture or void is reserved (`pending`) before its wallet step runs and finished once the step
 * answered; a refund reserves its amount (`refunding_amount`), so refunds racing each other can
 * never exceed the capture. The PaymentDO runs the steps one at a time, so the commission returned
 * by each refund is exact (refundCommission).
 */
export type PaymentStatus = "authorized" | "captured" | "partially_refunded" | "refunded" | "voided" | "expired";

export type PaymentMethod = "wallet" | "card";

export interface PaymentState {
  id: string;
  method: PaymentMethod;
  status: PaymentStatus;
  /** Authorized amount; a capture takes at most this. */
  amount: number;
  captured_amount: number;
  /** Completed refunds. */
  refunded_amount: number;
  /** Refunds accepted and under way: counted against what is left to refund. */
  refunding_amount: number;
  commission_bps: number | null;
  /**
   * What the platform keeps now: the commission taken at capture less what refunds returned, which
   * is the commission on what is captured and not refunded. Kept since the first payment object, so
   * every stored state has it.
   */
  commission_amount: number;
  hold_id: string | null;
  card: CardSummary | null;
  authorized_at_ms: number;
  capture_before_ms: number;
  captured_at_ms: number | null;
  refund_before_ms: number | null;
  pending: "capture" | "void" | null;
}

/** An authorization not captured within 7 days is voided (status `expired`). */
export const AUTHORIZATION_LIFETIME_MS = 7 * 24 * 3600 * 1000;
/** Refunds may be issued up to 90 days after capture. */
export const REFUND_WINDOW_MS = 90 * 24 * 3600 * 1000;

/** What the payment machine can refuse with, in the shared vocabulary (domain/outcome.ts). */
export type PaymentMachineCode =
  | "parameter_invalid"
  | "payment_not_capturable"
  | "amount_exceeds_authorization"
  | "payment_not_voidable"
  | "payment_not_refundable"
  | "refund_window_expired"
  | "amount_exceeds_refundable"
  | "payment_in_progress";
type Refused = Refusal<PaymentMachineCode>;

export function openPayment(input: {
  id: string;
  method: PaymentMethod;
  amount: number;
  hold_id: string | null;
  card: CardSummary | null;
  now_ms: number;
}): PaymentState {
  return {
    id: input.id,
    method: input.method,
    status: "authorized",
    amount: input.amount,
    captured_amount: 0,
    refunded_amount: 0,
    refunding_amount: 0,
    commission_bps: null,
    commission_amount: 0,
    hold_id: input.hold_id,
    card: input.card,
    authorized_at_ms: input.now_ms,
    capture_before_ms: input.now_ms + AUTHORIZATION_LIFETIME_MS,
    captured_at_ms: null,
    refund_before_ms: null,
    pending: null,
  };
}

// ---- the money a payment shows ---------------------------------------------------------------

/**
 * What the merchant's settlement wallet received for a payment, net of refunds: the capture less
 * the commission, less what refunds took back from it (a refund of `amount` takes `amount` less
 * the commission it returns). So `merchant_amount + commission_amount + refunded_amount` is
 * `captured_amount`, and `net_amount` (captured − refunded, the refund answer's figure) is
 * `merchant_amount + commission_amount`. Derived from stored fields, never stored itself.
 */
export function merchantAmount(p: Pick<PaymentState, "captured_amount" | "refunded_amount" | "commission_amount">): number {
  return p.captured_amount - p.refunded_amount - p.commission_amount;
}

/**
 * The bounds a payment's money keeps after every change, each from both sides: integers, what is
 * captured within what was authorized, what is refunded within what is captured, and what the
 * platform keeps within what is left, so neither the commission nor what the merchant received is
 * ever negative or more than remains captured. A violation throws before the change is stored.
 */
function checkedMoney(p: PaymentState): PaymentState {
  for (const [name, value] of [
    ["captured_amount", p.captured_amount],
    ["refunded_amount", p.refunded_amount],
    ["commission_amount", p.commission_amount],
  ] as const) {
    assert(Number.isSafeInteger(value), `${p.id}: ${name} ${value} is not an integer`);
  }
  assert(p.captured_amount >= 0 && p.captured_amount <= p.amount, `${p.id}: captured ${p.captured_amount} outside 0..${p.amount}`);
  assert(
    p.refunded_amount >= 0 && p.refunded_amount <= p.captured_amount,
    `${p.id}: refunded ${p.refunded_amount} outside 0..${p.captured_amount}`,
  );
  // merchant_amount is what remains less the commission: this pair keeps it within 0..remaining too.
  const remaining = p.captured_amount - p.refunded_amount;
  assert(
    p.commission_amount >= 0 && p.commission_amount <= remaining,
    `${p.id}: commission ${p.commission_amount} outside 0..${remaining} (merchant_amount ${merchantAmount(p)})`,
  );
  return p;
}

const busy = (): Refused => refusal("payment_in_progress", "A capture or void of this payment is under way; retry in a moment.");

/**
 * Whatever client asked (the API validates its bodies, the dashboard parses its forms), the machine
 * itself takes only a positive whole number of minor units: an amount of 0 once reserved a capture
 * whose wallet step could never succeed, and the payment stayed in progress until it expired.
 */
function isMinorAmount(amount: number): boolean {
  return Number.isSafeInteger(amount) && amount >= 1;
}

function notAnAmount(amount: number): Refused {
  return refusal("parameter_invalid", `The amount must be a positive whole number of minor units; got ${amount}.`, "amount");
}

// ---- capture ---------------------------------------------------------------------------------

export function beginCapture(
  p: PaymentState,
  requested: number | undefined,
  commission_bps: number,
  now_ms: number,
): Outcome<{ payment: PaymentState; amount: number; commission: number }, PaymentMachineCode> {
  if (p.pending) return busy();
  if (p.status !== "authorized")
    return refusal("payment_not_capturable", `The payment is ${p.status}; only an authorized payment can be captured.`);
  if (now_ms >= p.capture_before_ms) return refusal("payment_not_capturable", "The authorization has lapsed (7 days).");
  const amount = requested ?? p.amount;
  if (!isMinorAmount(amount)) return notAnAmount(amount);
  if (amount > p.amount) return refusal("amount_exceeds_authorization", `The authorization is ${p.amount}; capture at most that.`);
  return { ok: true, payment: { ...p, pending: "capture" }, amount, commission: commissionMinor(amount, commission_bps) };
}

export function finishCapture(
  p: PaymentState,
  capture: { amount: number; commission: number; commission_bps: number } | null,
  now_ms: number,
): { payment: PaymentState; events: CheckoutEventType[] } {
  if (!capture) return { payment: { ...p, pending: null }, events: [] };
  return {
    payment: checkedMoney({
      ...p,
      pending: null,
      status: "captured",
      captured_amount: capture.amount,
      commission_bps: capture.commission_bps,
      commission_amount: capture.commission,
      captured_at_ms: now_ms,
      refund_before_ms: now_ms + REFUND_WINDOW_MS,
    }),
    events: ["payment.captured"],
  };
}

// ---- void and expiry -------------------------------------------------------------------------

export function beginVoid(p: PaymentState): Outcome<{ payment: PaymentState }, PaymentMachineCode> {
  if (p.pending) return busy();
  if (p.status !== "authorized")
    return refusal("payment_not_voidable", `The payment is ${p.status}; only an authorized payment can be voided.`);
  return { ok: true, payment: { ...p, pending: "void" } };
}

export function isDueForAutoVoid(p: PaymentState | null, now_ms: number): boolean {
  return p !== null && p.status === "authorized" && p.pending === null && now_ms >= p.capture_before_ms;
}

export function finishVoid(p: PaymentState, reason: "void" | "deadline"): { payment: PaymentState; events: CheckoutEventType[] } {
  if (reason === "deadline") return { payment: { ...p, pending: null, status: "expired" }, events: ["payment.expired"] };
  return { payment: { ...p, pending: null, status: "voided" }, events: ["payment.voided"] };
}

// ---- refunds ---------------------------------------------------------------------------------

export function refundable(p: PaymentState): number {
  return p.captured_amount - p.refunded_amount - p.refunding_amount;
}

export function beginRefund(
  p: PaymentState,
  requested: number | undefined,
  now_ms: number,
): Outcome<{ payment: PaymentState; amount: number }, PaymentMachineCode> {
  if (p.status !== "captured" && p.status !== "partially_refunded") {
    return refusal("payment_not_refundable", `The payment is ${p.status}; only a captured payment can be refunded.`);
  }
  if (p.refund_before_ms !== null && now_ms > p.refund_before_ms) {
    return refusal("refund_window_expired", "Refunds can be issued up to 90 days after the payment was captured.");
  }
  const left = refundable(p);
  if (left === 0) return refusal("payment_not_refundable", "Nothing is left to refund on this payment.");
  const amount = requested ?? left;
  if (!isMinorAmount(amount)) return notAnAmount(amount);
  if (amount > left)
    return refusal(
      "amount_exceeds_refundable",
      `At most ${left} is left to refund (captured_amount - refunded_amount, less refunds under way).`,
    );
  return { ok: true, payment: { ...p, refunding_amount: p.refunding_amount + amount }, amount };
}

/**
 * The commission the platform returns with a refund: commission is recalculated on what remains
 * captured, so a refund returns the difference. Summed over refunds it telescopes to the original
 * commission: a full refund, at once or in parts, returns all of it.
 * 30,000 IQD at 2.5 %: 750 kept; refund 10,000 → 750 − 500 = 250 back; refund the rest → 500 back.
 */
export function refundCommission(p: PaymentState, amount: number): number {
  const bps = p.commission_bps ?? 0;
  const remaining = p.captured_amount - p.refunded_amount;
  return commissionMinor(remaining, bps) - commissionMinor(remaining - amount, bps);
}

export function finishRefund(
  p: PaymentState,
  refund: { amount: number; commission_returned: number } | { amount: number; failed: true },
): { payment: PaymentState; events: CheckoutEventType[] } {
  const released = { ...p, refunding_amount: p.refunding_amount - refund.amount };
  if ("failed" in refund) return { payment: released, events: [] };
  const refunded_amount = p.refunded_amount + refund.amount;
  const status: PaymentStatus = refunded_amount === p.captured_amount ? "refunded" : "partially_refunded";
  return {
    payment: checkedMoney({ ...released, refunded_amount, status, commission_amount: p.commission_amount - refund.commission_returned }),
    events: [status === "refunded" ? "payment.refunded" : "payment.partially_refunded"],
  };
}

// ---- a step's result, as the merchant's answer ----------------------------------------------

/** What a step on wallets came back with: an answer, or a business refusal (anything thrown is retried). */
export type StepResult =
  | { kind: "authorized" }
  | { kind: "declined"; decline_code: string; message: string }
  | { kind: "done" }
  | {
      kind: "refused";
      code: "insufficient_funds" | "balance_limit_exceeded" | "limit_exceeded" | "not_found" | "hold_not_active";
      message: string;
    }
  | { kind: "refunded"; commission_returned: number };

/**
 * Why a capture was not made, as the merchant is told: the merchant's money in the system would
 * pass its bound, or the authorization is gone; null when it was captured.
 */
export function captureRefusal(result: StepResult): Refusal<"balance_limit_exceeded" | "payment_not_capturable"> | null {
  if (result.kind === "done") return null;
  if (result.kind !== "refused") return refusal("payment_not_capturable", "The capture failed.");
  return refusal(result.code === "balance_limit_exceeded" ? "balance_limit_exceeded" : "payment_not_capturable", result.message);
}

/** Why a refund was not made (the merchant's settlement balance could not cover it); null when it was. */
export function refundRefusal(result: StepResult): Refusal<"insufficient_funds"> | null {
  if (result.kind === "refunded") return null;
  return refusal("insufficient_funds", result.kind === "refused" ? result.message : "The refund failed.", "amount");
}
