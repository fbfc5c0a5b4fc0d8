import { toIsoSeconds } from "../domain/clock";
import { attemptsRemaining, isOpen, paymentOf, type CheckoutState } from "../domain/checkout-machine";
import { merchantAmount } from "../domain/payment-machine";
import { buyerRedirect, cancelRedirect, successRedirect } from "../domain/redirects";
import { settlementNetOf, topUpView } from "../domain/top-up";
import type { RefundRow } from "./payment-store";
import type { PayResult } from "./types";

/** What the API (and the events) show of a checkout, its payment and its refunds. */

const iso = (ms: number | null) => (ms === null ? null : toIsoSeconds(ms));

export function checkoutView(state: CheckoutState) {
  const common = {
    id: state.id,
    status: state.status,
    amount: state.amount,
    currency: state.currency,
    description: state.description,
    metadata: state.metadata,
    success_url: state.success_url,
    cancel_url: state.cancel_url,
    checkout_url: state.checkout_url,
    client_secret: state.client_secret,
    locale: state.locale ?? "auto",
    expires_at: toIsoSeconds(state.expires_at_ms),
    payment_id: state.payment?.id ?? null,
    created_at: toIsoSeconds(state.created_at_ms),
  };
  if (state.kind === "session")
    return { ...common, object: "checkout.session" as const, external_user_id: state.buyer?.external_id ?? null };
  return {
    ...common,
    object: "payment_intent" as const,
    attempts_remaining: attemptsRemaining(state),
    last_decline_code: state.last_decline_code ?? null,
    purpose: purposeOf(state),
    top_up: topUpOf(state),
  };
}

const purposeOf = (state: CheckoutState) => (state.top_up ? ("wallet_top_up" as const) : ("payment" as const));

/** What a top-up intent credits to whom, and its fee; null for any other checkout. */
function topUpOf(state: CheckoutState) {
  return state.top_up && state.buyer ? topUpView(state.top_up, state.currency, state.buyer) : null;
}

/** The `wallet.topped_up` event's object: the top-up, once its capture committed, with the payment that paid it. */
export function topUpObject(state: CheckoutState) {
  const top_up = topUpOf(state);
  const p = paymentOf(state);
  return {
    object: "wallet_top_up" as const,
    id: p.id,
    payment_id: p.id,
    checkout_id: state.id,
    ...top_up,
    charged_amount: p.captured_amount,
  };
}

export type CheckoutView = ReturnType<typeof checkoutView>;

/**
 * What a browser holding the publishable key and the client secret sees of a checkout: what the
 * merchant's page needs to tell the buyer how it went and where to go — its state, the amount,
 * when it lapses, the payment once there is one, the card attempts left, and the redirect the
 * hosted page itself gives the buyer. Nothing the merchant's server alone should see (metadata, the
 * description, the buyer, the success and cancel URLs as configured, the client secret again, the
 * checkout URL that carries it): a page's script can leak what it reads to anyone on the page.
 */
export function checkoutBrowserView(state: CheckoutState) {
  const common = {
    id: state.id,
    status: state.status,
    amount: state.amount,
    currency: state.currency,
    expires_at: toIsoSeconds(state.expires_at_ms),
    payment_id: state.payment?.id ?? null,
    redirect_url: buyerRedirect(state),
  };
  if (state.kind === "session") return { ...common, object: "checkout.session" as const };
  return { ...common, object: "payment_intent" as const, attempts_remaining: attemptsRemaining(state) };
}

export type CheckoutBrowserView = ReturnType<typeof checkoutBrowserView>;

export function refundView(row: RefundRow) {
  return {
    id: row.id,
    amount: row.amount,
    reason: row.reason,
    metadata: JSON.parse(row.metadata) as Record<string, string | number | boolean | null>,
    status: row.status,
    created_at: toIsoSeconds(row.created_at_ms),
  };
}

export type RefundView = ReturnType<typeof refundView>;

export function paymentView(state: CheckoutState) {
  const p = paymentOf(state);
  return {
    id: p.id,
    object: "payment" as const,
    status: p.status,
    method: p.method,
    amount: p.amount,
    currency: state.currency,
    captured_amount: p.captured_amount,
    refunded_amount: p.refunded_amount,
    net_amount: p.captured_amount - p.refunded_amount,
    commission_amount: p.commission_amount,
    // A top-up's money went on to the buyer's wallet: the settlement wallet kept nothing, or paid the fee.
    merchant_amount: state.top_up && p.status === "captured" ? settlementNetOf(state.top_up) : merchantAmount(p),
    description: state.description,
    metadata: state.metadata,
    checkout_id: state.id,
    user_id: state.buyer?.user_id ?? null,
    external_user_id: state.buyer?.external_id ?? null,
    card: p.card && { brand: p.card.brand, last4: p.card.last4, exp_month: p.card.exp_month, exp_year: p.card.exp_year },
    purpose: purposeOf(state),
    top_up: topUpOf(state),
    capture_before: p.status === "authorized" ? toIsoSeconds(p.capture_before_ms) : null,
    captured_at: iso(p.captured_at_ms),
    // A top-up is never refunded to the card: it has no refund window.
    refund_before: state.top_up ? null : iso(p.refund_before_ms),
    created_at: toIsoSeconds(p.authorized_at_ms),
    updated_at: toIsoSeconds(state.updated_at_ms),
  };
}

export type PaymentView = ReturnType<typeof paymentView>;

/**
 * A payment as an object answered it, whenever that was: an answer recorded before
 * `merchant_amount` existed (replayed for its Idempotency-Key) gets it from the figures that
 * answer holds, so a replay shows the same fields as a first answer.
 */
export function currentPaymentView<V extends Omit<PaymentView, "merchant_amount"> & { merchant_amount?: number }>(
  view: V,
): V & { merchant_amount: number } {
  return view.merchant_amount === undefined
    ? { ...view, merchant_amount: merchantAmount(view) }
    : (view as V & { merchant_amount: number });
}

/** A refund's answer: the payment, the refund just made, and all of them. */
export function refundAnswer(state: CheckoutState, refund: RefundRow, all: RefundRow[]) {
  return { ...paymentView(state), refund: refundView(refund), refunds: all.map(refundView) };
}

/** The answer to a payment attempt, from the checkout it left behind. */
export function payResult(state: CheckoutState, declined: { decline_code: string; message: string } | null): PayResult {
  if (state.status === "authorized")
    return {
      status: "authorized",
      message: "Payment authorized.",
      redirect_url: successRedirect(state),
      attempts_remaining: attemptsRemaining(state),
    };
  const closed = !isOpen(state);
  return {
    status: closed ? "failed" : "declined",
    ...(declined ? { decline_code: declined.decline_code, message: declined.message } : { message: "The payment was not authorized." }),
    ...(closed ? { redirect_url: cancelRedirect(state) } : {}),
    attempts_remaining: attemptsRemaining(state),
  };
}
