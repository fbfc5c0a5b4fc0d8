import { isOpen, type CheckoutState } from "./checkout-machine";

/**
 * Where the hosted page sends the buyer. After success: the merchant's success_url with the
 * checkout's id — `{CHECKOUT_SESSION_ID}` in the URL is replaced by it, and it is appended as
 * `payment_intent=` (intents) or `session_id=` (sessions), as spec/payment-intents-quickstart.txt
 * step 8 describes. After a cancel or an expiry: the cancel_url as given.
 */
export function successRedirect(state: CheckoutState): string {
  const url = new URL(state.success_url.replaceAll("{CHECKOUT_SESSION_ID}", state.id));
  const name = state.kind === "intent" ? "payment_intent" : "session_id";
  if (!url.searchParams.has(name)) url.searchParams.set(name, state.id);
  return url.toString();
}

export function cancelRedirect(state: CheckoutState): string {
  return state.cancel_url;
}

/** Where the hosted page sends the buyer in the checkout's present state; null while it is open. */
export function buyerRedirect(state: CheckoutState): string | null {
  if (state.status === "authorized") return successRedirect(state);
  return isOpen(state) ? null : cancelRedirect(state);
}
