import { isOpen, type CheckoutState } from "./checkout-machine";

/**
 * Where the buyer goes when a checkout ends: the merchant's success_url once authorized, its
 * cancel_url once canceled, failed or expired. Both say which checkout it was, so the merchant's
 * page can look it up: `{CHECKOUT_SESSION_ID}` in the URL is replaced by the id, and the id is
 * appended as `payment_intent=` (intents) or `session_id=` (sessions) unless the URL already has
 * that parameter with a value. Every place that sends a buyer back (the page's redirects and links, the pay
 * and cancel API answers) goes through here.
 */
export type RedirectTarget = Pick<CheckoutState, "id" | "kind" | "success_url" | "cancel_url">;

/** The placeholder as written, or percent-encoded (`%7B…%7D`, as URL builders and browsers write braces). */
const CHECKOUT_ID_PLACEHOLDER = /\{CHECKOUT_SESSION_ID\}|%7BCHECKOUT_SESSION_ID%7D/gi;

export function successRedirect(checkout: RedirectTarget): string {
  return withCheckoutId(checkout.success_url, checkout);
}

export function cancelRedirect(checkout: RedirectTarget): string {
  return withCheckoutId(checkout.cancel_url, checkout);
}

function withCheckoutId(merchant_url: string, checkout: RedirectTarget): string {
  const url = new URL(merchant_url.replaceAll(CHECKOUT_ID_PLACEHOLDER, checkout.id));
  const name = checkout.kind === "intent" ? "payment_intent" : "session_id";
  // A parameter the merchant left empty (`?session_id=`) is filled in, as an absent one is.
  if (!url.searchParams.get(name)) url.searchParams.set(name, checkout.id);
  return url.toString();
}

/** Where the hosted page sends the buyer in the checkout's present state; null while it is open. */
export function buyerRedirect(state: CheckoutState): string | null {
  if (state.status === "authorized") return successRedirect(state);
  return isOpen(state) ? null : cancelRedirect(state);
}
