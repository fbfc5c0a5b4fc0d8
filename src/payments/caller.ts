import { timingSafeEqual } from "../crypto/encoding";
import type { CheckoutState } from "../domain/checkout-machine";
import { refusal, type Refusal } from "../domain/outcome";
import type { PaymentCall, PaymentRefusalCode } from "./types";

export type PaymentRefusal = Refusal<PaymentRefusalCode>;

export function notFound(): PaymentRefusal {
  return refusal("not_found", "No such checkout or payment.");
}

/** A new operation id for a checkout that exists already: the key was used for another request. */
export function keyReused(): PaymentRefusal {
  return refusal("idempotency_key_reused", "This Idempotency-Key was already used for a different request; use a new key.");
}

const secretMismatch = (): PaymentRefusal => refusal("client_secret_invalid", "The client_secret does not match this checkout.");

/**
 * Whether a caller may see this checkout: the owning merchant, a buyer with the client secret, or
 * both at once (a browser with the merchant's publishable key and the client secret: the merchant
 * is checked first, so a stranger's key learns nothing). Every id of a checkout routes to its
 * object, but only its own id is it. Null when the caller is admitted.
 */
export function callerProblem(state: CheckoutState | null, call: PaymentCall): PaymentRefusal | null {
  if (!state || (call.checkout_id !== undefined && call.checkout_id !== state.id)) return notFound();
  if (call.owner && (call.owner.merchant_id !== state.merchant_id || call.owner.mode !== state.mode)) return notFound();
  const needs_secret = !call.owner || call.client_secret !== undefined;
  if (!needs_secret) return null;
  if (call.client_secret === undefined || !timingSafeEqual(call.client_secret, state.client_secret)) return secretMismatch();
  return null;
}

/** A browser's read needs both the merchant's publishable key and the client secret. */
export function browserCallerProblem(state: CheckoutState | null, call: PaymentCall): PaymentRefusal | null {
  if (!call.owner || call.client_secret === undefined) return secretMismatch();
  return callerProblem(state, call);
}
