import { assert } from "../domain/assert";
import { CURRENCIES, type Currency } from "../domain/currencies";
import { refusal } from "../domain/outcome";
import type { EventOutbox } from "../objects/event-outbox";
import { fingerprint } from "../objects/operation-log";
import type { LedgerStore } from "./ledger-store";
import type { MoveStore, OutboxRow, TransferRow } from "./move-store";
import type { WalletLimits } from "./limits";
import {
  insufficientFunds,
  type CardCaptureRequest,
  type CardTopUpRequest,
  type TopUpRequest,
  type TransferRequest,
  type WalletRefusal,
} from "./requests";
import type { AuditTotals, BalanceView, CallContext, EntryView, IncomingCredit, MoveRequest, TransferView } from "./types";
import { entryView, transferView } from "./views";

type Answer<T> = ({ ok: true } & T) | WalletRefusal;

/**
 * Money in, out and between wallets, each run inside the wallet's operation transaction. What
 * another wallet is owed leaves through the outbox (move-store.ts), in the same transaction as
 * the debit here; what arrives is applied once per (source wallet, operation id).
 */
export class MoneyOperations {
  constructor(
    private readonly ledger: LedgerStore,
    private readonly moves: MoveStore,
    private readonly events: EventOutbox,
    private readonly limits: WalletLimits,
  ) {}

  /**
   * Money entering the system (a top-up, a returned payout): a `credit` entry. A top-up counts
   * against the KYC limits it names; a returned payout is never refused.
   */
  creditExternal(call: CallContext, move: MoveRequest | TopUpRequest): Answer<{ entry: EntryView; balance: BalanceView }> {
    if ("kyc_limits" in move) {
      const over = this.limits.take("top_up", move.currency, move.amount, move.kyc_limits, call.now_ms);
      if (over) return over;
    }
    this.ledger.addExternal(move.currency, "in", move.amount);
    const entry = this.ledger.writeEntry(call.wallet_id, { ...move, type: "credit" }, call.now_ms);
    const [balance] = this.ledger.balances([move.currency]);
    assert(balance !== undefined, `no ${move.currency} balance after crediting it`);
    return { ok: true, entry: entryView(entry), balance };
  }

  /**
   * On a merchant's settlement wallet: counts money about to enter the merchant's wallets against
   * the currency's bound, so no balance or sum of them can ever pass it.
   */
  reserveIssuance(currency: Currency, amount: number): Answer<{ issued: number }> {
    if (!this.ledger.reserveIssuance(currency, amount)) return pastBound(currency, "This");
    return { ok: true, issued: this.ledger.issued(currency) };
  }

  /** A transfer's debit here and its credit in the outbox; the transfer is `processing` until the credit lands. */
  transferOut(call: CallContext, request: TransferRequest, credit_operation_id: string): Answer<{ transfer: TransferView }> {
    if (this.ledger.balance(request.currency).available < request.amount) return insufficientFunds(request.currency);
    const { transfer_id: id, currency, amount, description } = request;
    this.ledger.writeEntry(call.wallet_id, { ...request, type: "debit", debit_from: "available", reference: id }, call.now_ms);
    const credit = { operation_id: credit_operation_id, kind: "transfer" as const, entry_type: "credit" as const };
    this.moves.enqueue(request.to_wallet_id, { ...credit, currency, amount, description, reference: id }, call.now_ms);
    const row: TransferRow = {
      id,
      credit_operation_id,
      to_wallet_id: request.to_wallet_id,
      from_user_id: request.from_user_id,
      to_user_id: request.to_user_id,
      currency,
      amount,
      description,
      reference: request.reference,
      created_at_ms: call.now_ms,
      request_id: call.cause?.request_id ?? null,
      idempotency_key: call.cause?.idempotency_key ?? null,
    };
    this.moves.insertTransfer(row);
    return { ok: true, transfer: transferView(row, "processing") };
  }

  /** From a merchant's settlement wallet back to a user's wallet: a `debit` here, a `refund` entry there. */
  refundToWallet(call: CallContext, request: MoveRequest & { to_wallet_id: string }): Answer<{ entry: EntryView }> {
    if (this.ledger.balance(request.currency).available < request.amount) return insufficientFunds(request.currency);
    const entry = this.ledger.writeEntry(call.wallet_id, { ...request, type: "debit", debit_from: "available" }, call.now_ms);
    const { currency, amount, description, reference } = request;
    const credit = { operation_id: `${request.operation_id}:refund`, kind: "transfer" as const, entry_type: "refund" as const };
    this.moves.enqueue(request.to_wallet_id, { ...credit, currency, amount, description, reference }, call.now_ms);
    return { ok: true, entry: entryView(entry) };
  }

  /**
   * On a merchant's settlement wallet: a card capture is money entering the system. It is counted
   * against the merchant's bound, credited in full, and the commission is debited towards the
   * merchant's share of the platform's revenue.
   */
  creditCardCapture(call: CallContext, request: CardCaptureRequest): Answer<{ net: number }> {
    const { operation_id, currency, gross, commission, reference } = request;
    assert(commission >= 0 && commission <= gross, `card capture of ${gross} with commission ${commission}`);
    if (!this.ledger.reserveIssuance(currency, gross)) return pastBound(currency, "This capture");
    this.ledger.addExternal(currency, "in", gross);
    const base = { operation_id, currency, reference };
    const description = request.description ?? "Card payment";
    this.ledger.writeEntry(call.wallet_id, { ...base, type: "credit", amount: gross, description }, call.now_ms);
    if (commission > 0) {
      const debit = { ...base, type: "debit" as const, debit_from: "available" as const, amount: commission, description: "Commission" };
      this.ledger.writeEntry(call.wallet_id, debit, call.now_ms);
      const credit = { operation_id: `${operation_id}:commission`, kind: "commission" as const, entry_type: "credit" as const };
      const move = { ...credit, currency, amount: commission, description: "Commission", reference };
      this.moves.enqueue(request.platform_wallet_id, move, call.now_ms);
    }
    return { ok: true, net: gross - commission };
  }

  /**
   * On a merchant's settlement wallet: a card top-up. The charge enters the system and is counted
   * against the merchant's bound like any card capture; the fee leaves for the platform and the
   * top-up for the buyer's wallet, both through the outbox, in this one transaction. When the
   * merchant bears the fee it comes out of the settlement balance, and a balance that cannot cover
   * it refuses the whole capture: nothing is written.
   */
  creditCardTopUp(call: CallContext, request: CardTopUpRequest): Answer<{ net: number }> {
    const { currency, gross, commission, top_up_amount } = request;
    const net = gross - commission - top_up_amount;
    assert(net <= 0 && top_up_amount > 0, `card top-up of ${top_up_amount} charged ${gross} with fee ${commission}`);
    if (this.ledger.balance(currency).available + net < 0)
      return refusal("insufficient_funds", `Your settlement wallet does not have the ${-net} ${currency} fee of this top-up available.`);
    const captured = this.creditCardCapture(call, { ...request, description: request.description ?? "Card top-up" });
    if (!captured.ok) return captured;
    const debit = { operation_id: request.operation_id, currency, reference: request.reference, amount: top_up_amount };
    this.ledger.writeEntry(call.wallet_id, { ...debit, type: "debit", debit_from: "available", description: "Wallet top-up" }, call.now_ms);
    const credit = { operation_id: `${request.operation_id}:top_up`, kind: "transfer" as const, entry_type: "credit" as const };
    this.moves.enqueue(request.to_wallet_id, { ...credit, ...debit, description: "Card top-up" }, call.now_ms);
    return { ok: true, net };
  }

  /** Money leaving the system to a card (a card payment's refund): a `debit`, counted as external. */
  refundToCard(call: CallContext, request: MoveRequest): Answer<{ entry: EntryView }> {
    if (this.ledger.balance(request.currency).available < request.amount) return insufficientFunds(request.currency);
    const entry = this.ledger.writeEntry(call.wallet_id, { ...request, type: "debit", debit_from: "available" }, call.now_ms);
    this.ledger.addExternal(request.currency, "out", request.amount);
    return { ok: true, entry: entryView(entry) };
  }

  /**
   * The receiving end of another wallet's outbox (in the caller's transaction): each credit applies
   * once per (source, operation id). A redelivery that differs from what was applied is a bug in
   * the source, surfaced loudly. Returns how many applied.
   */
  applyCredits(call: CallContext, source_wallet_id: string, credits: IncomingCredit[]): number {
    let applied = 0;
    for (const credit of credits) {
      const print = fingerprint("credit", { ...credit });
      const seen = this.moves.findReceived(source_wallet_id, credit.operation_id);
      if (seen) {
        assert(
          seen.fingerprint === print,
          `credit ${credit.operation_id} from ${source_wallet_id} was redelivered with different contents`,
        );
        continue;
      }
      const entry = this.ledger.writeEntry(call.wallet_id, { ...credit, type: credit.entry_type }, call.now_ms);
      this.moves.recordReceived(source_wallet_id, credit.operation_id, print, entry.id, call.now_ms);
      applied++;
    }
    return applied;
  }

  /**
   * A transfer is completed when its credit has landed: recorded in the transaction that turns its
   * outbox row from pending to sent, and only for the rows that this call turned (a concurrent
   * delivery of the same rows turns none and records nothing).
   */
  transfersCompleted(sent_operation_ids: string[], now_ms: number): void {
    for (const id of sent_operation_ids) {
      const transfer = this.moves.transferByCredit(id);
      if (transfer) this.events.add("transfer.completed", transfer.id, { object: transferView(transfer, "succeeded") }, transfer, now_ms);
    }
  }

  /** The wallet's figures in one currency for the audit; `holds_consistent` recounts the active holds. */
  auditTotals(currency: Currency): AuditTotals {
    const { available, held } = this.ledger.balance(currency);
    const holds = this.ledger.activeHoldsRecount(currency);
    return {
      currency,
      total: available + held,
      outbox_pending: this.moves.pending(currency),
      ...this.ledger.externals(currency),
      holds_consistent: holds.recounted === holds.running_total && holds.running_total === held,
    };
  }

  transferStatus(row: TransferRow): TransferView["status"] {
    return this.moves.outboxStatus(row.credit_operation_id) === "sent" ? "succeeded" : "processing";
  }
}

export function toIncomingCredit(row: OutboxRow): IncomingCredit {
  const { operation_id, kind, entry_type, amount, description, reference } = row;
  return { operation_id, kind, entry_type, currency: row.currency as Currency, amount, description, reference };
}

function pastBound(currency: Currency, what: string): WalletRefusal {
  const bound = CURRENCIES[currency].max_issued_minor;
  return refusal(
    "balance_limit_exceeded",
    `${what} would take your ${currency} money in the system past its limit of ${bound} (minor units).`,
  );
}
