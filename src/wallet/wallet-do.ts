import { DurableObject } from "cloudflare:workers";
import { futureInstantProblem } from "../domain/clock";
import { CURRENCIES, CURRENCY_CODES, type Currency } from "../domain/currencies";
import type { FingerprintValue } from "../domain/fingerprint";
import { commissionMinor } from "../domain/money";
import { HoldStore, type HoldRow } from "./hold-store";
import { fingerprint, OperationLog, type Replayable } from "../objects/operation-log";
import { assert } from "../domain/assert";
import { LedgerStore } from "./ledger-store";
import { EventOutbox } from "../objects/event-outbox";
import { applyMigrations } from "../objects/migrations";
import { planAlarm } from "../objects/alarm";
import { EventCourier } from "../objects/event-courier";
import { MoveCourier } from "../objects/move-courier";
import { ObjectClock } from "../objects/object-clock";
import { WALLET_MIGRATIONS } from "./migrations";
import { MoveStore, type OutboxRow, type TransferRow } from "./move-store";
import type {
  AuditTotals,
  BalanceView,
  CallContext,
  ChainEntryView,
  EntryFilters,
  EntryView,
  HoldView,
  IncomingCredit,
  MoveRequest,
  Operation,
  TransferView,
  WalletRefusalCode,
  WalletOwner,
} from "./types";
import { chainEntryView, entryView, holdView, transferView } from "./views";
import { refusal, type Outcome as AnOutcome, type Refusal as ARefusal } from "../domain/outcome";

/** What a wallet answers: the shared vocabulary, narrowed to a wallet's refusals. */
type Outcome<T> = AnOutcome<T, WalletRefusalCode>;
type Refusal = ARefusal<WalletRefusalCode>;

/** How soon the alarm re-checks the outbox after a write, in case the immediate delivery is lost. */
const OUTBOX_BACKSTOP_MS = 5_000;
/** How long a transfer waits for its recipient's credit before answering `processing`; a repeat meanwhile is told to retry. */
const TRANSFER_AWAIT_MS = 30_000;
/**
 * Events wait this long before they are sent, so that on a busy wallet one queue send (and one
 * outbox update) carries the events of many writes instead of one each: profiled, sending per
 * write was a sixth of a hot wallet's CPU. Webhooks arrive that much later. (The events are
 * already durable in the outbox; a crash meanwhile leaves them to the alarm.)
 */
const FORWARD_COALESCE_MS = 25;

export interface HoldRequest extends MoveRequest {
  hold_id: string;
  user_id: string;
  expires_at_ms: number | null;
  /** For a client-given expiry: how far ahead it may lie (checked when the hold is placed, not on a repeat). */
  expires_within_seconds?: number;
  /** A hold placed for a payment: only that payment may capture or release it, and its entries name it. */
  payment_id?: string;
}

export interface CaptureRequest extends Operation {
  hold_id: string;
  payment_id?: string;
  /** Omitted: capture the whole hold. */
  amount?: number;
  commission_bps: number;
  settlement_wallet_id: string;
  platform_wallet_id: string;
}

export interface TransferRequest extends MoveRequest {
  transfer_id: string;
  from_user_id: string;
  to_user_id: string;
  to_wallet_id: string;
}

/**
 * One object per wallet. Every balance mutation of the wallet runs here, one at a time, as one
 * synchronous storage transaction keyed by an operation id that is bound to what the operation does:
 * a repeat returns the first result without a second effect, and the same id with another request
 * is refused. Money for other wallets leaves through the outbox (docs/architecture.md). The object knows its
 * owner and answers anyone else with not-found, so ids may route straight to it.
 */
export class WalletDO extends DurableObject<Env> {
  private readonly ledger: LedgerStore;
  private readonly holds: HoldStore;
  private readonly moves: MoveStore;
  private readonly operations: OperationLog;
  private readonly eventOutbox: EventOutbox;
  private readonly clock: ObjectClock;
  private readonly courier: EventCourier;
  private readonly outbox: MoveCourier<OutboxRow>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.ledger = new LedgerStore(ctx.storage.sql);
    this.operations = new OperationLog(ctx.storage.sql);
    this.eventOutbox = new EventOutbox(ctx.storage.sql);
    this.holds = new HoldStore(ctx.storage.sql, this.ledger);
    this.moves = new MoveStore(ctx.storage.sql);
    this.clock = new ObjectClock(this.ledger);
    this.courier = new EventCourier(ctx, this.eventOutbox, env.EVENTS, () => this.owner(), {
      coalesce_ms: FORWARD_COALESCE_MS,
      replanAlarm: () => this.scheduleAlarm(),
    });
    this.outbox = new MoveCourier(ctx, this.moves, this.clock, {
      deliver: async (target, rows) => {
        const source = this.ledger.getMeta("wallet_id");
        // Rows are written only by calls that entered, which record the wallet's id first.
        if (!source) throw new Error("a wallet with outbox rows does not know its own id");
        await walletObject(env, target).applyCredits(
          { wallet_id: target, now_ms: this.clock.now(), clock_offset_ms: this.clock.offsetMs() },
          source,
          rows.map(toIncomingCredit),
        );
      },
      landed: (operation_ids) => this.transfersCompleted(operation_ids),
      afterLanded: () => this.afterEvents(),
      replanAlarm: () => this.scheduleAlarm(),
    });
    ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage.sql, WALLET_MIGRATIONS));
  }

  // ---- reads --------------------------------------------------------------------------------

  balances(call: CallContext): Outcome<{ balances: BalanceView[]; status: string }> {
    return this.read(call, () => ({
      ok: true,
      balances: this.ledger.balances(CURRENCY_CODES),
      status: this.ledger.getMeta("status") ?? "active",
    }));
  }

  listEntries(call: CallContext, filters: EntryFilters, limit: number, offset: number): Outcome<{ entries: EntryView[]; total: number }> {
    return this.read(call, () => {
      const page = this.ledger.listEntries(filters, limit, offset);
      return { ok: true, entries: page.entries.map(entryView), total: page.total };
    });
  }

  chain(call: CallContext, after_seq: number, limit: number): Outcome<{ entries: ChainEntryView[]; last_seq: number }> {
    return this.read(call, () => ({
      ok: true,
      entries: this.ledger.chain(after_seq, limit).map(chainEntryView),
      last_seq: this.ledger.lastSeq(),
    }));
  }

  getHold(call: CallContext, hold_id: string): Outcome<{ hold: HoldView }> {
    return this.read(call, () => {
      const row = this.holds.get(hold_id);
      // A payment's hold is the payment's business: the holds API does not see it.
      return row && row.payment_id === null ? { ok: true, hold: holdView(row) } : refusal("not_found", "No such hold.");
    });
  }

  getTransfer(call: CallContext, transfer_id: string): Outcome<{ transfer: TransferView }> {
    return this.read(call, () => {
      const row = this.moves.getTransfer(transfer_id);
      return row ? { ok: true, transfer: transferView(row, this.transferStatus(row)) } : refusal("not_found", "No such transfer.");
    });
  }

  auditTotals(call: CallContext, currency: Currency): Outcome<AuditTotals> {
    return this.read(call, () => {
      const { available, held } = this.ledger.balance(currency);
      const holds = this.ledger.activeHoldsRecount(currency);
      return {
        ok: true,
        currency,
        total: available + held,
        outbox_pending: this.moves.pending(currency),
        ...this.ledger.externals(currency),
        holds_consistent: holds.recounted === holds.running_total && holds.running_total === held,
      };
    });
  }

  /** Fires what came due by the caller's clock (a moved sandbox clock): expiring holds, with their events. */
  fireDue(call: CallContext): Outcome<object> {
    return this.read(call, () => ({ ok: true }));
  }

  explainListEntries(filters: EntryFilters): string[] {
    return this.ledger.explainListEntries(filters);
  }

  // ---- mutations ----------------------------------------------------------------------------

  /** Money entering the system (a sandbox top-up, a card capture): a `credit` entry. */
  creditExternal(call: CallContext, move: MoveRequest): Outcome<{ entry: EntryView; balance: BalanceView }> {
    return this.once(call, move.operation_id, fingerprint("credit_external", moveFields(move)), () => {
      this.ledger.addExternal(move.currency, "in", move.amount);
      const entry = this.ledger.writeEntry(call.wallet_id, { ...move, type: "credit" }, call.now_ms);
      const balance = this.ledger.balances([move.currency])[0]!;
      return { ok: true as const, entry: entryView(entry), balance };
    });
  }

  /**
   * On a merchant's settlement wallet: counts money about to enter the merchant's wallets (a top-up,
   * a card capture) against the currency's bound, so no balance or sum of them can ever pass it.
   * The target wallet is part of the fingerprint: one reservation can never cover two credits.
   */
  reserveIssuance(
    call: CallContext,
    request: Operation & { currency: Currency; amount: number; to_wallet_id: string },
  ): Outcome<{ issued: number }> {
    const { operation_id, ...fields } = request;
    return this.once(call, operation_id, fingerprint("issue", fields), () => {
      if (!this.ledger.reserveIssuance(request.currency, request.amount)) {
        const bound = CURRENCIES[request.currency].max_issued_minor;
        return refusal(
          "balance_limit_exceeded",
          `This would take your ${request.currency} money in the system past its limit of ${bound} (minor units).`,
        );
      }
      return { ok: true as const, issued: this.ledger.issued(request.currency) };
    });
  }

  placeHold(call: CallContext, request: HoldRequest): Outcome<{ hold: HoldView }> {
    // The hold id is minted per attempt, so it is not part of what the operation does.
    const { operation_id, hold_id: _, ...fields } = request;
    const outcome = this.once(call, operation_id, fingerprint("hold", fields), () => {
      const late = this.expiryProblem(request, call);
      if (late) return late;
      if (this.ledger.balance(request.currency).available < request.amount) return insufficientFunds(request.currency);
      const payment_id = request.payment_id ?? null;
      this.holds.insert({
        id: request.hold_id,
        user_id: request.user_id,
        payment_id,
        currency: request.currency,
        amount: request.amount,
        reference: request.reference,
        description: request.description,
        expires_at_ms: request.expires_at_ms,
        created_at_ms: call.now_ms,
      });
      // Entries name the hold (or its payment); the merchant's own reference stays on the hold.
      this.ledger.writeEntry(call.wallet_id, { ...request, type: "hold", reference: payment_id ?? request.hold_id }, call.now_ms);
      const hold = this.holds.get(request.hold_id)!;
      this.holdEvent("hold.created", hold, call);
      return { ok: true as const, hold: holdView(hold) };
    });
    if (outcome.ok && !outcome.replayed) this.afterEvents();
    // Only a hold that expires needs the alarm: most holds leave it (and its storage write) alone.
    if (outcome.ok && !outcome.replayed && request.expires_at_ms !== null) this.scheduleAlarm();
    return outcome;
  }

  /** A new hold's expiry must lie ahead of the caller's clock; a repeat never gets this far. */
  private expiryProblem(request: HoldRequest, call: CallContext): Refusal | null {
    if (request.expires_at_ms === null || request.expires_within_seconds === undefined) return null;
    const rule = { max_seconds: request.expires_within_seconds, param: "expires_at" };
    const message = futureInstantProblem(request.expires_at_ms, call.now_ms, call.clock_offset_ms ?? 0, rule);
    return message === null ? null : { ok: false, code: "parameter_invalid", message, param: "expires_at" };
  }

  releaseHold(call: CallContext, request: Operation & { hold_id: string; payment_id?: string }): Outcome<{ hold: HoldView }> {
    const outcome = this.once(
      call,
      request.operation_id,
      fingerprint("release", { hold_id: request.hold_id, payment_id: request.payment_id }),
      () => {
        const found = this.activeHold(request.hold_id, request.payment_id);
        if (!found.ok) return found;
        const hold = found.hold;
        this.releaseWholeHold(call, request.operation_id, hold, "released");
        return { ok: true as const, hold: holdView(this.holds.get(hold.id)!) };
      },
    );
    if (outcome.ok && !outcome.replayed) this.afterEvents();
    return outcome;
  }

  /**
   * Captures all or part of a hold: the captured amount leaves the wallet (a `debit` of held funds)
   * towards the merchant's settlement wallet, less commission towards the merchant's share of the
   * platform's revenue; the rest is released. Both credits travel by outbox, so this never waits on
   * the merchant's object. A hold is captured once: another capture is `hold_not_active`.
   */
  captureHold(call: CallContext, request: CaptureRequest): Outcome<{ hold: HoldView }> {
    const outcome = this.once(
      call,
      request.operation_id,
      fingerprint("capture", { hold_id: request.hold_id, amount: request.amount, payment_id: request.payment_id }),
      () => {
        const found = this.activeHold(request.hold_id, request.payment_id);
        if (!found.ok) return found;
        const hold = found.hold;
        const amount = request.amount ?? hold.amount;
        if (amount > hold.amount) return refusal("amount_exceeds_hold", `The hold is ${hold.amount}; capture at most that.`);
        const currency = hold.currency as Currency;
        const commission = commissionMinor(amount, request.commission_bps);
        const net = amount - commission;
        this.holds.resolve(
          hold,
          { status: "captured", captured_amount: amount, commission_amount: commission, net_amount: net },
          call.now_ms,
        );
        const base = { operation_id: request.operation_id, currency, description: hold.description, reference: hold.payment_id ?? hold.id };
        this.ledger.writeEntry(call.wallet_id, { ...base, type: "debit", debit_from: "held", amount }, call.now_ms);
        if (amount < hold.amount)
          this.ledger.writeEntry(call.wallet_id, { ...base, type: "release", amount: hold.amount - amount }, call.now_ms);
        const credit = { entry_type: "credit" as const, currency, description: hold.description, reference: base.reference };
        if (net > 0)
          this.moves.enqueue(
            request.settlement_wallet_id,
            { ...credit, operation_id: `${request.operation_id}:settlement`, kind: "settlement", amount: net },
            call.now_ms,
          );
        if (commission > 0)
          this.moves.enqueue(
            request.platform_wallet_id,
            { ...credit, operation_id: `${request.operation_id}:commission`, kind: "commission", amount: commission },
            call.now_ms,
          );
        const captured = this.holds.get(hold.id)!;
        this.holdEvent("hold.captured", captured, call);
        return { ok: true as const, hold: holdView(captured) };
      },
    );
    if (outcome.ok && !outcome.replayed) {
      this.outbox.afterWrite();
      this.afterEvents();
    }
    return outcome;
  }

  /**
   * A transfer to another user's wallet: debits this wallet and sends the credit through the
   * outbox, then waits (briefly) for that credit to land so the answer can say `succeeded`. Until it
   * answers, a repeat of the operation is told the request is still running.
   */
  async transfer(call: CallContext, request: TransferRequest): Promise<Outcome<{ transfer: TransferView }>> {
    const { operation_id, transfer_id: _, ...fields } = request;
    const credit_operation_id = `${operation_id}:credit`;
    const outcome = this.once(
      call,
      operation_id,
      fingerprint("transfer", fields),
      () => {
        if (this.ledger.balance(request.currency).available < request.amount) return insufficientFunds(request.currency);
        this.ledger.writeEntry(
          call.wallet_id,
          { ...request, type: "debit", debit_from: "available", reference: request.transfer_id },
          call.now_ms,
        );
        this.moves.enqueue(
          request.to_wallet_id,
          {
            operation_id: credit_operation_id,
            kind: "transfer",
            entry_type: "credit",
            currency: request.currency,
            amount: request.amount,
            description: request.description,
            reference: request.transfer_id,
          },
          call.now_ms,
        );
        const row: TransferRow = {
          id: request.transfer_id,
          credit_operation_id,
          to_wallet_id: request.to_wallet_id,
          from_user_id: request.from_user_id,
          to_user_id: request.to_user_id,
          currency: request.currency,
          amount: request.amount,
          description: request.description,
          reference: request.reference,
          created_at_ms: call.now_ms,
          request_id: call.cause?.request_id ?? null,
          idempotency_key: call.cause?.idempotency_key ?? null,
        };
        this.moves.insertTransfer(row);
        return { ok: true as const, transfer: transferView(row, "processing") };
      },
      call.now_ms + TRANSFER_AWAIT_MS,
    );
    if (!outcome.ok || outcome.replayed) return outcome;
    // The backstop alarm is set before the first await: if the object dies while delivering, the
    // alarm still finds the credit in the outbox.
    this.scheduleAlarm();
    await this.outbox.deliver(request.to_wallet_id);
    const answer = {
      ok: true as const,
      transfer: { ...outcome.transfer, status: this.transferStatus(this.moves.getTransfer(outcome.transfer.id)!) },
    };
    this.operations.finish(operation_id, answer);
    this.scheduleAlarm();
    return answer;
  }

  /** From a merchant's settlement wallet back to a user's wallet: a `debit` here, a `refund` entry there. */
  refundToWallet(call: CallContext, request: MoveRequest & { to_wallet_id: string }): Outcome<{ entry: EntryView }> {
    const { operation_id, ...fields } = request;
    const outcome = this.once(call, operation_id, fingerprint("refund_to_wallet", fields), () => {
      if (this.ledger.balance(request.currency).available < request.amount) return insufficientFunds(request.currency);
      const entry = this.ledger.writeEntry(call.wallet_id, { ...request, type: "debit", debit_from: "available" }, call.now_ms);
      this.moves.enqueue(
        request.to_wallet_id,
        {
          operation_id: `${operation_id}:refund`,
          kind: "transfer",
          entry_type: "refund",
          currency: request.currency,
          amount: request.amount,
          description: request.description,
          reference: request.reference,
        },
        call.now_ms,
      );
      return { ok: true as const, entry: entryView(entry) };
    });
    if (outcome.ok && !outcome.replayed) this.outbox.afterWrite();
    return outcome;
  }

  /**
   * On a merchant's settlement wallet: a card capture is money entering the system. In one
   * transaction it is counted against the merchant's bound, credited in full, and the commission is
   * debited towards the merchant's share of the platform's revenue.
   */
  creditCardCapture(
    call: CallContext,
    request: Operation & {
      currency: Currency;
      gross: number;
      commission: number;
      platform_wallet_id: string;
      reference: string;
      description: string | null;
    },
  ): Outcome<{ net: number }> {
    const { operation_id, ...fields } = request;
    const outcome = this.once(call, operation_id, fingerprint("card_capture", fields), () => {
      if (!this.ledger.reserveIssuance(request.currency, request.gross)) {
        return refusal(
          "balance_limit_exceeded",
          `This capture would take your ${request.currency} money in the system past its limit of ` +
            `${CURRENCIES[request.currency].max_issued_minor} (minor units).`,
        );
      }
      this.ledger.addExternal(request.currency, "in", request.gross);
      const base = { operation_id, currency: request.currency, reference: request.reference };
      this.ledger.writeEntry(
        call.wallet_id,
        { ...base, type: "credit", amount: request.gross, description: request.description ?? "Card payment" },
        call.now_ms,
      );
      if (request.commission > 0) {
        this.ledger.writeEntry(
          call.wallet_id,
          { ...base, type: "debit", debit_from: "available", amount: request.commission, description: "Commission" },
          call.now_ms,
        );
        this.moves.enqueue(
          request.platform_wallet_id,
          {
            operation_id: `${operation_id}:commission`,
            kind: "commission",
            entry_type: "credit",
            currency: request.currency,
            amount: request.commission,
            description: "Commission",
            reference: request.reference,
          },
          call.now_ms,
        );
      }
      return { ok: true as const, net: request.gross - request.commission };
    });
    if (outcome.ok && !outcome.replayed) this.outbox.afterWrite();
    return outcome;
  }

  /** Money leaving the system to a card (a card payment's refund): a `debit`, counted as external. */
  refundToCard(call: CallContext, request: MoveRequest): Outcome<{ entry: EntryView }> {
    const { operation_id, ...fields } = request;
    return this.once(call, operation_id, fingerprint("refund_to_card", fields), () => {
      if (this.ledger.balance(request.currency).available < request.amount) return insufficientFunds(request.currency);
      const entry = this.ledger.writeEntry(call.wallet_id, { ...request, type: "debit", debit_from: "available" }, call.now_ms);
      this.ledger.addExternal(request.currency, "out", request.amount);
      return { ok: true as const, entry: entryView(entry) };
    });
  }

  /**
   * The receiving end of another wallet's outbox: each credit applies once per (source, operation
   * id), whatever the redeliveries. A redelivery that differs from what was applied is a bug in the
   * source, surfaced loudly.
   */
  applyCredits(call: CallContext, source_wallet_id: string, credits: IncomingCredit[]): { applied: number } {
    this.enter(call);
    let applied = 0;
    this.ctx.storage.transactionSync(() => {
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
    });
    return { applied };
  }

  /**
   * Delivers due outbox rows now (only those for `target_wallet_id` when given, so a user's transfer
   * never waits on the merchant's busy settlement wallet); returns how much is still pending.
   */
  async flushOutbox(call: CallContext, target_wallet_id?: string): Promise<Outcome<{ pending: number }>> {
    const denied = this.enter(call);
    if (denied) return denied;
    await this.outbox.deliver(target_wallet_id);
    return { ok: true, pending: CURRENCY_CODES.reduce((sum, c) => sum + this.moves.pending(c, target_wallet_id), 0) };
  }

  // ---- the alarm: hold expiry and outbox redelivery -----------------------------------------

  override async alarm(): Promise<void> {
    this.courier.alarmFired();
    const wallet_id = this.ledger.getMeta("wallet_id");
    if (wallet_id) {
      // Holds expire by the owner's time even when no request brings it.
      await this.clock.refresh(this.env, this.owner());
      this.expireDueHolds({ wallet_id, now_ms: this.clock.now() });
      await this.outbox.deliver();
      await this.courier.forward();
    }
    this.scheduleAlarm();
  }

  // ---- internals ----------------------------------------------------------------------------

  private read<S extends { ok: true }>(call: CallContext, view: () => S | Refusal): S | Refusal {
    return this.enter(call) ?? view();
  }

  /**
   * Runs a mutation once per operation id, in one synchronous transaction that ends by checking the
   * invariants, and records its result — refusals included — bound to the fingerprint. A repeat with
   * the same fingerprint gets the first result (`replayed`); with another, `idempotency_key_reused`.
   * With `running_until_ms`, the operation stays 'running' until finishOperation records its answer.
   */
  private once<S extends { ok: true }>(
    call: CallContext,
    operation_id: string,
    print: string,
    mutate: () => S | Refusal,
    running_until_ms?: number,
  ): Replayable<S | Refusal> {
    const denied = this.enter(call);
    if (denied) return denied;
    return this.ctx.storage.transactionSync(() => {
      const previous = this.operations.find(operation_id);
      if (previous) return this.operations.replay<S | Refusal>(previous, print, call.now_ms);
      const result = mutate();
      this.ledger.assertHeldMatchesActiveHolds();
      this.operations.record(operation_id, print, result, call.now_ms, result.ok ? running_until_ms : null);
      return result;
    });
  }

  /**
   * A hold's event, in the change's transaction. A payment's hold is the payment's business: the
   * payment records its own events (payment.captured, …), so its hold records none.
   */
  private holdEvent(type: "hold.created" | "hold.released" | "hold.captured" | "hold.expired", hold: HoldRow, call: CallContext): void {
    if (hold.payment_id !== null) return;
    this.eventOutbox.add(
      type,
      hold.id,
      { object: { ...holdView(hold), wallet_id: this.ledger.getMeta("wallet_id") ?? call.wallet_id } },
      call.cause ?? {},
      call.now_ms,
    );
  }

  /**
   * A transfer is completed when its credit has landed: recorded in the transaction that turns its
   * outbox row from pending to sent, and only for the rows that this call turned (a concurrent
   * delivery of the same rows turns none and records nothing).
   */
  private transfersCompleted(sent_operation_ids: string[]): void {
    for (const id of sent_operation_ids) {
      const transfer = this.moves.transferByCredit(id);
      if (transfer)
        this.eventOutbox.add(
          "transfer.completed",
          transfer.id,
          { object: transferView(transfer, "succeeded") },
          transfer,
          this.clock.now(),
        );
    }
  }

  /** Hands recorded events to the queue after the commit (coalesced; the alarm backs it up). */
  private afterEvents(): void {
    this.courier.afterCommit();
  }

  /** A hold the caller may settle: a payment's hold exists only for that payment. */
  private activeHold(hold_id: string, payment_id: string | undefined): { ok: true; hold: HoldRow } | Refusal {
    const hold = this.holds.get(hold_id);
    if (!hold || hold.payment_id !== (payment_id ?? null)) return refusal("not_found", "No such hold.");
    if (hold.status !== "active") return refusal("hold_not_active", `The hold is already ${hold.status}.`);
    return { ok: true, hold };
  }

  private releaseWholeHold(call: CallContext, operation_id: string, hold: HoldRow, status: "released" | "expired"): void {
    this.holds.resolve(hold, { status }, call.now_ms);
    this.holdEvent(status === "expired" ? "hold.expired" : "hold.released", this.holds.get(hold.id)!, call);
    this.ledger.writeEntry(
      call.wallet_id,
      {
        operation_id,
        type: "release",
        currency: hold.currency as Currency,
        amount: hold.amount,
        description: status === "expired" ? "Hold expired" : hold.description,
        reference: hold.payment_id ?? hold.id,
      },
      call.now_ms,
    );
  }

  private transferStatus(row: TransferRow): TransferView["status"] {
    return this.moves.outboxStatus(row.credit_operation_id) === "sent" ? "succeeded" : "processing";
  }

  /**
   * Checks the caller and remembers who the wallet is: its id (objects are addressed by name), its
   * owner, and how far the owner's clock runs ahead of real time (the sandbox clock), so the alarm
   * keeps the owner's time. A wallet with no owner yet takes one only from a caller that found it
   * through the registry; until then, and for anyone but its owner, it answers not-found without
   * writing anything. Also expires due holds, so no read or write sees a hold past its expiry.
   */
  private enter(call: CallContext): Refusal | null {
    if (call.owner) {
      const owner = this.owner();
      if (!owner && !call.owner_verified) return notFound();
      if (owner && (owner.merchant_id !== call.owner.merchant_id || owner.mode !== call.owner.mode)) return notFound();
      if (!owner) {
        this.ledger.setMeta("merchant_id", call.owner.merchant_id);
        this.ledger.setMeta("mode", call.owner.mode);
      }
    }
    // Reads are frequent: meta is written only when it changes.
    this.setMetaIfChanged("wallet_id", call.wallet_id);
    this.clock.remember(call.clock_offset_ms);
    if (this.expireDueHolds(call) > 0) this.scheduleAlarm();
    return null;
  }

  private owner(): WalletOwner | null {
    const merchant_id = this.ledger.getMeta("merchant_id");
    const mode = this.ledger.getMeta("mode");
    return merchant_id && (mode === "sandbox" || mode === "live") ? { merchant_id, mode } : null;
  }

  /** Releases every hold whose expiry has passed, in one transaction; returns how many. */
  private expireDueHolds(call: CallContext): number {
    const due = this.holds.due(call.now_ms);
    if (due.length === 0) return 0;
    this.ctx.storage.transactionSync(() => {
      for (const hold of due) this.releaseWholeHold(call, `expire:${hold.id}`, hold, "expired");
      this.ledger.assertHeldMatchesActiveHolds();
    });
    this.afterEvents();
    return due.length;
  }

  private setMetaIfChanged(key: string, value: string): void {
    if (this.ledger.getMeta(key) !== value) this.ledger.setMeta(key, value);
  }

  /**
   * One alarm for every deadline: the earliest hold expiry (on the owner's clock), an outbox retry
   * (a credit due now is being delivered already: the alarm only backs that up, a moment later),
   * and events still to forward.
   */
  private scheduleAlarm(): void {
    const now_ms = Date.now();
    const backstop_ms = now_ms + OUTBOX_BACKSTOP_MS;
    const expiry = this.holds.nextExpiry();
    const attempt = this.moves.nextAttempt();
    planAlarm(this.ctx.storage, {
      hold_expiry: expiry === null ? null : this.clock.toRealMs(expiry),
      outbox_retry: attempt === null ? null : Math.max(this.clock.toRealMs(attempt), backstop_ms),
      events: this.courier.backstopAt(now_ms),
    });
  }
}

/**
 * The wallet object itself, for calls between objects (a move's delivery, a payment's steps) and
 * white-box tests. Requests go through services/wallets.ts `walletStub`, which also counts them
 * against the object's capacity in this isolate.
 */
export function walletObject(env: Env, wallet_id: string): DurableObjectStub<WalletDO> {
  return env.WALLET.get(env.WALLET.idFromName(wallet_id)) as DurableObjectStub<WalletDO>;
}

function moveFields(move: MoveRequest): Record<string, FingerprintValue> {
  return { currency: move.currency, amount: move.amount, description: move.description, reference: move.reference };
}

function toIncomingCredit(row: OutboxRow): IncomingCredit {
  return {
    operation_id: row.operation_id,
    kind: row.kind,
    entry_type: row.entry_type,
    currency: row.currency as Currency,
    amount: row.amount,
    description: row.description,
    reference: row.reference,
  };
}

function notFound(): Refusal {
  return refusal("not_found", "No such wallet.");
}

function insufficientFunds(currency: Currency): Refusal {
  return refusal("insufficient_funds", `Insufficient available ${currency} balance.`);
}
