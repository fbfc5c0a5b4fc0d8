import { isOpen, type CheckoutState } from "../domain/checkout-machine";

/** The checkout's and payment's rows in the D1 index at this version. */
export function indexRows(state: CheckoutState) {
  const p = state.payment;
  const deadline = isOpen(state) ? state.expires_at_ms : p?.status === "authorized" ? p.capture_before_ms : null;
  return {
    checkout: {
      id: state.id,
      merchant_id: state.merchant_id,
      mode: state.mode,
      kind: state.kind,
      status: state.status,
      payment_id: p?.id ?? null,
      next_deadline_ms: deadline,
      version: state.version,
      created_at_ms: state.created_at_ms,
      updated_at_ms: state.updated_at_ms,
    },
    payment: p && {
      id: p.id,
      merchant_id: state.merchant_id,
      mode: state.mode,
      checkout_id: state.id,
      method: p.method,
      status: p.status,
      amount: p.amount,
      currency: state.currency,
      captured_amount: p.captured_amount,
      refunded_amount: p.refunded_amount,
      commission_amount: p.commission_amount,
      top_up_amount: state.top_up?.amount ?? null,
      version: state.version,
      created_at_ms: p.authorized_at_ms,
      updated_at_ms: state.updated_at_ms,
    },
  };
}
