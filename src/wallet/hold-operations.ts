import { assert } from "../domain/assert";
import { futureInstantProblem } from "../domain/clock";
import type { Currency } from "../domain/currencies";
import { commissionMinor } from "../domain/money";
import { refusal } from "../domain/outcome";
import type { EventOutbox } from "../objects/event-outbox";
import type { HoldRow, HoldStore } from "./hold-store";
import type { LedgerStore } from "./ledger-store";
import type { MoveStore } from "./move-store";
import type { WalletLimits } from "./limits";
import {
  insufficientFunds,
  type CaptureRequest,
  type HoldRequest,
  type PayOutRequest,
  type ReleaseRequest,
  type WalletRefusal,
} from "./requests";
import type { CallContext, HoldView, Operation } from "./types";
import { holdView } from "./views";

type HoldEventType = "hold.created" | "hold.released" | "hold.captured" | "hold.expired";

/**
 * What a wallet does to its holds, each run inside the wallet's operation transaction: place,
 * release, capture, expire. The ledger's entries, the hold's row, the outbox's credits and the
 * hold's event change together or not at all.
 */
export class HoldOperations {
  constructor(
    private readonly ledger: LedgerStore,
    private readonly holds: HoldStore,
    private readonly moves: MoveStore,
    private readonly events: EventOutbox,
    private readonly limits: WalletLimits,
  ) {}

  place(call: CallContext, request: HoldRequest): { ok: true; hold: HoldView } | WalletRefusal {
    const late = expiryProblem(request, call);
    if (late) return late;
    if (this.ledger.balance(request.currency).available < request.amount) return insufficientFunds(request.currency);
    if (request.payout_limits) {
      const over = this.limits.take("payout", request.currency, request.amount, request.payout_limits, call.now_ms);
      if (over) return over;
    }
    const payment_id = request.payment_id ?? null;
    const { hold_id: id, user_id, currency, amount, reference, description, expires_at_ms } = request;
    this.holds.insert({ id, user_id, payment_id, currency, amount, reference, description, expires_at_ms, created_at_ms: call.now_ms });
    // Entries name the hold (or its payment); the merchant's own reference stays on the hold.
    this.ledger.writeEntry(call.wallet_id, { ...request, type: "hold", reference: payment_id ?? id }, call.now_ms);
    const hold = this.get(id);
    this.event("hold.created", hold, call);
    return { ok: true, hold: holdView(hold) };
  }

  release(call: CallContext, request: ReleaseRequest): { ok: true; hold: HoldView } | WalletRefusal {
    const found = this.active(request.hold_id, request.payment_id);
    if (!found.ok) return found;
    const hold = found.hold;
    if (request.payout_counted) this.limits.giveBack("payout", hold.currency as Currency, hold.amount, hold.created_at_ms);
    this.releaseWhole(call, request.operation_id, hold, "released");
    return { ok: true, hold: holdView(this.get(found.hold.id)) };
  }

  /**
   * Captures all or part of a hold: the captured amount leaves the wallet (a `debit` of held funds)
   * towards the merchant's settlement wallet, less commission towards the merchant's share of the
   * platform's revenue; the rest is released. Both credits travel by outbox.
   */
  capture(call: CallContext, request: CaptureRequest): { ok: true; hold: HoldView } | WalletRefusal {
    const found = this.active(request.hold_id, request.payment_id);
    if (!found.ok) return found;
    const hold = found.hold;
    const amount = request.amount ?? hold.amount;
    if (amount > hold.amount) return refusal("amount_exceeds_hold", `The hold is ${hold.amount}; capture at most that.`);
    const currency = hold.currency as Currency;
    const commission = commissionMinor(amount, request.commission_bps);
    const net = amount - commission;
    assert(net >= 0, `capture of ${amount} has a commission ${commission} above it`);
    assert(net + commission === amount, `capture of ${amount} split into ${net} and ${commission}`);
    this.holds.resolve(hold, { status: "captured", captured_amount: amount, commission_amount: commission, net_amount: net }, call.now_ms);
    const reference = hold.payment_id ?? hold.id;
    const base = { operation_id: request.operation_id, currency, description: hold.description, reference };
    this.ledger.writeEntry(call.wallet_id, { ...base, type: "debit", debit_from: "held", amount }, call.now_ms);
    if (amount < hold.amount)
      this.ledger.writeEntry(call.wallet_id, { ...base, type: "release", amount: hold.amount - amount }, call.now_ms);
    const credit = { entry_type: "credit" as const, currency, description: hold.description, reference };
    const id = (leg: string) => `${request.operation_id}:${leg}`;
    if (net > 0)
      this.moves.enqueue(
        request.settlement_wallet_id,
        { ...credit, operation_id: id("settlement"), kind: "settlement", amount: net },
        call.now_ms,
      );
    if (commission > 0)
      this.moves.enqueue(
        request.platform_wallet_id,
        { ...credit, operation_id: id("commission"), kind: "commission", amount: commission },
        call.now_ms,
      );
    const captured = this.get(hold.id);
    this.event("hold.captured", captured, call);
    return { ok: true, hold: holdView(captured) };
  }

  /**
   * A payout leaves the system: its hold's whole amount is debited from held funds and counted as
   * an external debit (the audit's money out). Only the payout that placed the hold may pay it out.
   */
  payOut(call: CallContext, request: PayOutRequest): { ok: true; hold: HoldView } | WalletRefusal {
    const found = this.active(request.hold_id, request.payout_id);
    if (!found.ok) return found;
    const hold = found.hold;
    const currency = hold.currency as Currency;
    const fee = request.fee?.amount ?? 0;
    const paid = hold.amount - fee;
    assert(fee >= 0 && paid > 0, `payout ${request.payout_id} of a ${hold.amount} hold with a ${fee} fee`);
    this.holds.resolve(hold, { status: "captured", captured_amount: hold.amount, commission_amount: fee, net_amount: 0 }, call.now_ms);
    const debit = { operation_id: request.operation_id, currency, reference: request.payout_id };
    const held = { type: "debit" as const, debit_from: "held" as const };
    this.ledger.writeEntry(call.wallet_id, { ...debit, ...held, amount: paid, description: hold.description }, call.now_ms);
    this.ledger.addExternal(currency, "out", paid);
    if (request.fee && fee > 0) {
      this.ledger.writeEntry(call.wallet_id, { ...debit, ...held, amount: fee, description: "Payout fee" }, call.now_ms);
      const credit = { operation_id: `${request.operation_id}:fee`, kind: "commission" as const, entry_type: "credit" as const };
      this.moves.enqueue(request.fee.platform_wallet_id, { ...credit, ...debit, amount: fee, description: "Payout fee" }, call.now_ms);
    }
    return { ok: true, hold: holdView(this.get(hold.id)) };
  }

  /** Releases every hold whose expiry has passed (in the caller's transaction); returns how many. */
  expireDue(call: CallContext): number {
    const due = this.holds.due(call.now_ms);
    for (const hold of due) this.releaseWhole(call, `expire:${hold.id}`, hold, "expired");
    return due.length;
  }

  /** Whether any hold is past its expiry: most calls find none and open no transaction. */
  anyDue(now_ms: number): boolean {
    return this.holds.due(now_ms).length > 0;
  }

  /** A hold the caller may settle: a payment's hold exists only for that payment. */
  private active(hold_id: string, payment_id: string | undefined): { ok: true; hold: HoldRow } | WalletRefusal {
    const hold = this.holds.get(hold_id);
    if (!hold || hold.payment_id !== (payment_id ?? null)) return refusal("not_found", "No such hold.");
    if (hold.status !== "active") return refusal("hold_not_active", `The hold is already ${hold.status}.`);
    return { ok: true, hold };
  }

  private releaseWhole(call: CallContext, operation_id: string, hold: HoldRow, status: "released" | "expired"): void {
    this.holds.resolve(hold, { status }, call.now_ms);
    this.event(status === "expired" ? "hold.expired" : "hold.released", this.get(hold.id), call);
    const description = status === "expired" ? "Hold expired" : hold.description;
    const entry = { operation_id, type: "release" as const, currency: hold.currency as Currency, amount: hold.amount, description };
    this.ledger.writeEntry(call.wallet_id, { ...entry, reference: hold.payment_id ?? hold.id }, call.now_ms);
  }

  private get(hold_id: string): HoldRow {
    const hold = this.holds.get(hold_id);
    assert(hold !== null, `hold ${hold_id} was just written and is not there`);
    return hold;
  }

  /**
   * A hold's event, in the change's transaction. A payment's hold is the payment's business: the
   * payment records its own events (payment.captured, …), so its hold records none.
   */
  private event(type: HoldEventType, hold: HoldRow, call: CallContext): void {
    if (hold.payment_id !== null) return;
    const wallet_id = this.ledger.getMeta("wallet_id") ?? call.wallet_id;
    this.events.add(type, hold.id, { object: { ...holdView(hold), wallet_id } }, call.cause ?? {}, call.now_ms);
  }
}

/** A new hold's expiry must lie ahead of the caller's clock; a repeat never gets this far. */
function expiryProblem(request: HoldRequest, call: CallContext): WalletRefusal | null {
  if (request.expires_at_ms === null || request.expires_within_seconds === undefined) return null;
  const rule = { max_seconds: request.expires_within_seconds, param: "expires_at" };
  const message = futureInstantProblem(request.expires_at_ms, call.now_ms, call.clock_offset_ms ?? 0, rule);
  return message === null ? null : refusal("parameter_invalid", message, "expires_at");
}
