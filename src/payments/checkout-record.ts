import { openCheckout, type CheckoutState, type NewCheckout } from "../domain/checkout-machine";
import type { CheckoutEventType } from "../domain/events";
import type { EventOutbox } from "../objects/event-outbox";
import type { Decided } from "./merchant-requests";
import type { PaymentStore } from "./payment-store";
import type { Cause } from "./step-plans";
import { checkoutView, paymentView, refundView, topUpObject } from "./views";

/**
 * A checkout's versions and their events: each saved state is the next version, and its events
 * are recorded in the same transaction, each with an id derived from that version (saving a
 * version is what changes a checkout, so the version is the fact).
 */
export class CheckoutRecord {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly store: PaymentStore,
    private readonly events: EventOutbox,
  ) {}

  /** The checkout as stored; the object exists only once it has one. */
  current(): CheckoutState | null {
    return this.store.state();
  }

  /** Opens the checkout, its version 1; null if this object already holds one. */
  open(checkout: NewCheckout): CheckoutState | null {
    if (this.store.state()) return null;
    const state = openCheckout(checkout);
    this.store.saveState(state);
    return state;
  }

  /** Records a merchant request's decision: the payment's reserved state, its refund row if any, the step; the step's number. */
  reserve(state: CheckoutState, decided: Extract<Decided, { ok: true }>, cause: Partial<Cause>, now_ms: number): number {
    if (decided.refund) this.store.addRefund(decided.refund);
    this.save({ ...state, payment: decided.payment }, [], cause, now_ms);
    return this.store.addStep(decided.step, Date.now());
  }

  /** Saves a new state with its events, in the caller's transaction; a refund's events carry the refund. */
  save(state: CheckoutState, events: CheckoutEventType[], cause: Partial<Cause>, now_ms: number, refund_id?: string): CheckoutState {
    const saved = { ...state, version: state.version + 1, updated_at_ms: now_ms };
    this.store.saveState(saved);
    const refund = refund_id ? this.store.getRefund(refund_id) : null;
    for (const type of events) {
      const object =
        type === "wallet.topped_up" ? topUpObject(saved) : type.startsWith("payment.") ? paymentView(saved) : checkoutView(saved);
      const payload = refund && type.startsWith("payment.") ? { object, refund: refundView(refund) } : { object };
      this.events.add(type, `${saved.id}:${saved.version}`, payload, cause, now_ms);
    }
    return saved;
  }

  /** Every event this checkout recorded, oldest first. */
  recordedEvents() {
    return this.events.all();
  }

  /** One storage transaction; the in-memory copy of the state is dropped if it rolls back. */
  transaction<T>(work: () => T): T {
    try {
      return this.ctx.storage.transactionSync(work);
    } catch (error) {
      this.store.forgetState();
      throw error;
    }
  }
}
