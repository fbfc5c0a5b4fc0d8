import { expireCheckout, isOpen, paymentOf, type CheckoutState } from "../domain/checkout-machine";
import { beginVoid, isDueForAutoVoid } from "../domain/payment-machine";
import type { CheckoutRecord } from "./checkout-record";
import type { PaymentStore } from "./payment-store";
import * as plan from "./step-plans";

/**
 * A checkout's two deadlines on the merchant's clock: an open checkout expires, and an
 * authorization not captured within 7 days is voided (status `expired`).
 */

/** The deadlines still ahead, in the merchant's time (null when none applies). */
export function checkoutDeadlines(state: CheckoutState): { checkout_expiry: number | null; authorization_lapse: number | null } {
  const p = state.payment;
  const authorized = p !== null && p.status === "authorized" && !p.pending;
  return {
    checkout_expiry: isOpen(state) ? state.expires_at_ms : null,
    authorization_lapse: authorized ? p.capture_before_ms : null,
  };
}

/**
 * Fires what came due by `now_ms`, each in its own transaction: the expiry with its event, and
 * the lapse as a void's reservation and its release step (which the caller then runs).
 */
export function fireDeadlines(
  record: CheckoutRecord,
  store: PaymentStore,
  now_ms: number,
  cause: plan.Cause,
): { changed: boolean; voiding: boolean } {
  const state = record.current();
  if (!state) return { changed: false, voiding: false };
  let changed = false;
  if (isOpen(state) && now_ms >= state.expires_at_ms && !state.attempt_in_progress) {
    const expired = expireCheckout(state, "deadline");
    if (expired.ok) {
      record.transaction(() => record.save(expired.state, expired.events, cause, now_ms));
      changed = true;
    }
  }
  const current = record.current();
  if (!current || !isDueForAutoVoid(current.payment, now_ms)) return { changed, voiding: false };
  const begun = beginVoid(paymentOf(current));
  if (!begun.ok) return { changed, voiding: false };
  record.transaction(() => {
    record.save({ ...current, payment: begun.payment }, [], cause, now_ms);
    store.addStep(plan.releaseStep(current, "deadline", null, cause), Date.now());
  });
  return { changed: true, voiding: true };
}
