import type { CardSummary } from "./card-simulator";
import type { Currency } from "./currencies";
import type { Mode } from "./mode";
import type { CheckoutEventType } from "./events";
import type { PaymentMethod, PaymentState } from "./payment-machine";
import type { TopUp } from "./top-up";
import { assert } from "./assert";
import { refusal, type Outcome, type Refusal } from "./outcome";

/**
 * A checkout — a checkout session (a synced user pays from their wallet) or a payment intent (a
 * card) — as a pure state machine: each function takes the state and an event and returns the new
 * state and the events to record, or a refusal. The PaymentDO persists what it returns and runs the
 * steps on wallets; nothing here does I/O.
 *
 *   session: open ──pay──▶ authorized          intent: requires_payment_method ──pay──▶ authorized
 *              ├─expire/deadline─▶ expired                 ├─cancel─▶ canceled
 *              └─buyer cancels──▶ canceled                 ├─deadline─▶ expired
 *                                                          └─5 declines─▶ failed
 */
export type CheckoutKind = "session" | "intent";
/** The hosted page's language a checkout asks for: Arabic, English, or `auto` (the buyer's Accept-Language). */
export const CHECKOUT_LOCALES = ["auto", "ar", "en"] as const;
export type CheckoutLocale = (typeof CHECKOUT_LOCALES)[number];
export type CheckoutStatus = "open" | "requires_payment_method" | "authorized" | "canceled" | "expired" | "failed";

export interface Buyer {
  user_id: string;
  external_id: string;
  full_name: string;
  wallet_id: string;
}

export interface CheckoutState {
  version: number;
  kind: CheckoutKind;
  id: string;
  merchant_id: string;
  merchant_name: string;
  mode: Mode;
  status: CheckoutStatus;
  amount: number;
  currency: Currency;
  description: string | null;
  metadata: Record<string, string | number | boolean | null>;
  success_url: string;
  cancel_url: string;
  client_secret: string;
  /** The hosted page, client secret included: where the merchant sends the buyer. */
  checkout_url: string;
  buyer: Buyer | null;
  /** A wallet top-up (an intent whose capture credits `buyer`'s wallet); absent in states saved before top-ups existed. */
  top_up?: TopUp | null;
  /** Absent in states saved before checkouts had a locale: `auto`. */
  locale?: CheckoutLocale;
  created_at_ms: number;
  /** When anything about the checkout or its payment last changed (set by whoever saves it). */
  updated_at_ms: number;
  expires_at_ms: number;
  /** Declined or failed attempts so far (intents fail after MAX_ATTEMPTS). */
  failed_attempts: number;
  /** Every attempt started, counted or not: numbers each attempt's wallet operations. */
  attempts_started: number;
  /** An attempt whose wallet hold is under way: a second one meanwhile is refused. */
  attempt_in_progress: { number: number; method: PaymentMethod } | null;
  /** The last counted decline's code (`51`, `insufficient_funds`, …); absent in states saved before it was kept. */
  last_decline_code?: string | null;
  /** `top_up_refused`: a wallet top-up whose card was approved but whose capture was refused (its authorization voided). */
  closed_reason: "merchant" | "buyer" | "deadline" | "too_many_attempts" | "top_up_refused" | null;
  payment: PaymentState | null;
}

export const MAX_ATTEMPTS = 5;
export const INTENT_LIFETIME_MS = 60 * 60 * 1000;
/** Checkout sessions stay open 24 hours, as Stripe's do by default. */
export const SESSION_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** What the checkout machine can refuse with, in the shared vocabulary (domain/outcome.ts). */
export type CheckoutMachineCode = "checkout_not_open" | "payment_already_completed" | "attempt_in_progress" | "too_many_attempts";
export type Transition = { state: CheckoutState; events: CheckoutEventType[] };

export interface NewCheckout {
  kind: CheckoutKind;
  id: string;
  merchant_id: string;
  merchant_name: string;
  mode: Mode;
  amount: number;
  currency: Currency;
  description: string | null;
  metadata: CheckoutState["metadata"];
  success_url: string;
  cancel_url: string;
  client_secret: string;
  checkout_url: string;
  buyer: Buyer | null;
  top_up: TopUp | null;
  locale: CheckoutLocale;
  now_ms: number;
}

export function openCheckout(input: NewCheckout): CheckoutState {
  const { now_ms, ...fields } = input;
  return {
    ...fields,
    version: 1,
    status: input.kind === "session" ? "open" : "requires_payment_method",
    created_at_ms: now_ms,
    updated_at_ms: now_ms,
    expires_at_ms: now_ms + (input.kind === "session" ? SESSION_LIFETIME_MS : INTENT_LIFETIME_MS),
    failed_attempts: 0,
    attempts_started: 0,
    attempt_in_progress: null,
    closed_reason: null,
    payment: null,
  };
}

export function isOpen(state: CheckoutState): boolean {
  return state.status === "open" || state.status === "requires_payment_method";
}

/** The payment an authorized checkout opened: asked for only where one must exist. */
export function paymentOf(state: CheckoutState): PaymentState {
  assert(state.payment !== null, `checkout ${state.id} has no payment`);
  return state.payment;
}

export function attemptsRemaining(state: CheckoutState): number {
  return Math.max(0, MAX_ATTEMPTS - state.failed_attempts);
}

function next(state: CheckoutState, changes: Partial<CheckoutState>): CheckoutState {
  return { ...state, ...changes, version: state.version + 1 };
}

const CLOSED_EVENT: Record<CheckoutKind, { expired: CheckoutEventType; canceled: CheckoutEventType }> = {
  session: { expired: "checkout.expired", canceled: "checkout.canceled" },
  intent: { expired: "payment_intent.canceled", canceled: "payment_intent.canceled" },
};

/** The deadline passed, or the merchant expired a session: `expired`. Idempotent on a closed checkout. */
export function expireCheckout(state: CheckoutState, reason: "merchant" | "deadline"): Outcome<Transition, CheckoutMachineCode> {
  if (!isOpen(state)) return notOpen(state);
  if (state.attempt_in_progress) return refusal("attempt_in_progress", "A payment attempt is under way; try again in a moment.");
  return { ok: true, state: next(state, { status: "expired", closed_reason: reason }), events: [CLOSED_EVENT[state.kind].expired] };
}

/** The buyer cancels on the page, or the merchant cancels an intent: `canceled`. */
export function cancelCheckout(state: CheckoutState, by: "merchant" | "buyer"): Outcome<Transition, CheckoutMachineCode> {
  if (!isOpen(state)) return notOpen(state);
  if (state.attempt_in_progress) return refusal("attempt_in_progress", "A payment attempt is under way; try again in a moment.");
  return { ok: true, state: next(state, { status: "canceled", closed_reason: by }), events: [CLOSED_EVENT[state.kind].canceled] };
}

/** Reserves the next attempt before any await, so a second submit meanwhile is refused. */
export function beginAttempt(
  state: CheckoutState,
  method: PaymentMethod,
): Outcome<{ state: CheckoutState; attempt: number }, CheckoutMachineCode> {
  if (!isOpen(state)) return notOpen(state);
  if (state.attempt_in_progress) return refusal("attempt_in_progress", "A payment attempt is under way; wait for its answer.");
  if (attemptsRemaining(state) === 0) return refusal("too_many_attempts", "No payment attempts remain.");
  const attempt = state.attempts_started + 1;
  return { ok: true, state: next(state, { attempts_started: attempt, attempt_in_progress: { number: attempt, method } }), attempt };
}

export type AttemptOutcome = { approved: true; payment: PaymentState } | { approved: false; decline_code: string; counts: boolean };

/**
 * Records an attempt's answer. Approval authorizes the checkout and opens its payment. A decline
 * that counts uses an attempt; an intent with none left fails, and so does a session whose buyer
 * mistyped the confirmation code five times (it is canceled: guessing must stop).
 */
export function finishAttempt(state: CheckoutState, outcome: AttemptOutcome): Transition {
  const cleared = { attempt_in_progress: null };
  if (outcome.approved) {
    const event: CheckoutEventType = state.kind === "session" ? "checkout.authorized" : "payment_intent.succeeded";
    return { state: next(state, { ...cleared, status: "authorized", payment: outcome.payment }), events: [event] };
  }
  if (!outcome.counts) return { state: next(state, cleared), events: [] };
  const failed_attempts = state.failed_attempts + 1;
  const exhausted = failed_attempts >= MAX_ATTEMPTS;
  const declined = { ...cleared, failed_attempts, last_decline_code: outcome.decline_code };
  if (state.kind === "intent") {
    const changes = exhausted ? { status: "failed" as const, closed_reason: "too_many_attempts" as const } : {};
    return { state: next(state, { ...declined, ...changes }), events: ["payment_intent.payment_failed"] };
  }
  if (exhausted)
    return {
      state: next(state, { ...declined, status: "canceled", closed_reason: "too_many_attempts" }),
      events: ["checkout.canceled"],
    };
  return { state: next(state, declined), events: [] };
}

function notOpen(state: CheckoutState): Refusal<CheckoutMachineCode> {
  if (state.status === "authorized") {
    const what = state.kind === "session" ? "checkout session" : "payment intent";
    return refusal("payment_already_completed", `This ${what} is already authorized; create a new one for a new payment.`);
  }
  return refusal("checkout_not_open", `This checkout is ${state.status}.`);
}

export type { CardSummary };
