import { DurableObject } from "cloudflare:workers";
import { CURRENCY_CODES, type Currency } from "../domain/currencies";
import type { KycLevel } from "../domain/kyc";
import { refusal } from "../domain/outcome";
import { planAlarm } from "../objects/alarm";
import { EventCourier } from "../objects/event-courier";
import { EventOutbox } from "../objects/event-outbox";
import { applyMigrations } from "../objects/migrations";
import { MoveCourier } from "../objects/move-courier";
import { ObjectClock } from "../objects/object-clock";
import { ObjectOwner } from "../objects/object-owner";
import { fingerprint, OperationLog, type Replayable } from "../objects/operation-log";
import { HoldOperations } from "./hold-operations";
import { HoldStore } from "./hold-store";
import { WalletLimits } from "./limits";
import { LedgerStore } from "./ledger-store";
import { WALLET_MIGRATIONS } from "./migrations";
import { FORWARD_COALESCE_MS, TRANSFER_AWAIT_MS, walletDeadlines } from "./timings";
import { MoneyOperations, toIncomingCredit } from "./money-operations";
import { MoveStore, type OutboxRow } from "./move-store";
import * as requests from "./requests";
import type { WalletOutcome as Outcome, WalletRefusal as Refusal } from "./requests";
import type * as T from "./types";
import { chainEntryView, entryView, holdView, transferView } from "./views";

type Call = T.CallContext;

/**
 * One object per wallet. Every balance mutation runs here, one at a time, as one synchronous storage transaction keyed
 * by an operation id bound to what it does: a repeat returns the first result without a second effect, and the same id
 * with another request is refused. Money for other wallets leaves through the outbox (docs/architecture.md). Anyone but
 * the owner is answered not-found. The mutations are in hold-operations.ts, money-operations.ts and limits.ts.
 */
export class WalletDO extends DurableObject<Env> {
  // Field initializers run after super(), in order: each part is built over the storage and the parts before it.
  private readonly sql = this.ctx.storage.sql;
  private readonly ledger = new LedgerStore(this.sql);
  private readonly operations = new OperationLog(this.sql);
  private readonly events = new EventOutbox(this.sql);
  private readonly holds = new HoldStore(this.sql, this.ledger);
  private readonly moves = new MoveStore(this.sql);
  private readonly owner = new ObjectOwner(this.ledger);
  private readonly clock = new ObjectClock(this.ledger);
  private readonly limits = new WalletLimits(this.sql, this.ledger);
  private readonly holdOps = new HoldOperations(this.ledger, this.holds, this.moves, this.events, this.limits);
  private readonly money = new MoneyOperations(this.ledger, this.moves, this.events, this.limits);
  private readonly courier = new EventCourier(this.ctx, this.events, this.env.EVENTS, () => this.owner.get(), {
    coalesce_ms: FORWARD_COALESCE_MS,
    replanAlarm: () => this.scheduleAlarm(),
  });
  private readonly outbox: MoveCourier<OutboxRow> = new MoveCourier(this.ctx, this.moves, this.clock, {
    deliver: (target, rows) => deliverCredits(this.env, this.ledger, this.clock, target, rows),
    landed: (operation_ids) => this.money.transfersCompleted(operation_ids, this.clock.now()),
    afterLanded: () => this.courier.afterCommit(),
    replanAlarm: () => this.scheduleAlarm(),
  });

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage.sql, WALLET_MIGRATIONS));
  }

  // ---- reads --------------------------------------------------------------------------------

  balances(call: Call): Outcome<{ balances: T.BalanceView[]; status: string }> {
    const status = () => this.ledger.getMeta("status") ?? "active";
    return this.read(call, () => ({ ok: true, balances: this.ledger.balances(CURRENCY_CODES), status: status() }));
  }

  listEntries(call: Call, filters: T.EntryFilters, limit: number, offset: number): Outcome<{ entries: T.EntryView[]; total: number }> {
    return this.read(call, () => {
      const page = this.ledger.listEntries(filters, limit, offset);
      return { ok: true, entries: page.entries.map(entryView), total: page.total };
    });
  }

  chain(call: Call, after_seq: number, limit: number): Outcome<{ entries: T.ChainEntryView[]; last_seq: number }> {
    return this.read(call, () => ({
      ok: true,
      entries: this.ledger.chain(after_seq, limit).map(chainEntryView),
      last_seq: this.ledger.lastSeq(),
    }));
  }

  getHold(call: Call, hold_id: string): Outcome<{ hold: T.HoldView }> {
    return this.read(call, () => {
      const row = this.holds.get(hold_id);
      // A payment's hold is the payment's business: the holds API does not see it.
      return row && row.payment_id === null ? { ok: true, hold: holdView(row) } : refusal("not_found", "No such hold.");
    });
  }

  getTransfer(call: Call, transfer_id: string): Outcome<{ transfer: T.TransferView }> {
    return this.read(call, () => {
      const row = this.moves.getTransfer(transfer_id);
      return row ? { ok: true, transfer: transferView(row, this.money.transferStatus(row)) } : refusal("not_found", "No such transfer.");
    });
  }

  auditTotals(call: Call, currency: Currency): Outcome<T.AuditTotals> {
    return this.read(call, () => ({ ok: true, ...this.money.auditTotals(currency) }));
  }

  /** Fires what came due by the caller's clock (a moved sandbox clock): expiring holds, with their events. */
  fireDue(call: Call): Outcome<object> {
    return this.read(call, () => ({ ok: true }));
  }

  explainListEntries(filters: T.EntryFilters): string[] {
    return this.ledger.explainListEntries(filters);
  }

  // ---- mutations ----------------------------------------------------------------------------

  /** Money entering the system (a top-up, within its KYC limits; a returned payout): a `credit` entry. */
  creditExternal(call: Call, move: T.MoveRequest | requests.TopUpRequest): Outcome<{ entry: T.EntryView; balance: T.BalanceView }> {
    return this.once(call, move.operation_id, fingerprint("credit_external", requests.moveFields(move)), () =>
      this.money.creditExternal(call, move),
    );
  }

  /** The user's KYC level, as the merchant last synced it: which of the merchant's limits apply. */
  setKycLevel(call: Call, level: KycLevel): Outcome<object> {
    return this.read(call, () => this.limits.setLevel(level));
  }

  /**
   * On a merchant's settlement wallet: counts money about to enter the merchant's wallets (a top-up,
   * a card capture) against the currency's bound. The target wallet is part of the fingerprint: one
   * reservation can never cover two credits.
   */
  reserveIssuance(call: Call, request: requests.IssueRequest): Outcome<{ issued: number }> {
    const { operation_id, ...fields } = request;
    return this.once(call, operation_id, fingerprint("issue", fields), () => this.money.reserveIssuance(request.currency, request.amount));
  }

  placeHold(call: Call, request: requests.HoldRequest): Outcome<{ hold: T.HoldView }> {
    // The hold id is minted per attempt, and limits are the merchant's settings of the moment: neither is what it does.
    const { operation_id, hold_id: _, payout_limits: __, ...fields } = request;
    const outcome = this.once(call, operation_id, fingerprint("hold", fields), () => this.holdOps.place(call, request));
    if (!outcome.ok || outcome.replayed) return outcome;
    this.courier.afterCommit();
    // Only a hold that expires needs the alarm: most holds leave it (and its storage write) alone.
    if (request.expires_at_ms !== null) this.scheduleAlarm();
    return outcome;
  }

  releaseHold(call: Call, request: requests.ReleaseRequest): Outcome<{ hold: T.HoldView }> {
    const print = fingerprint("release", { hold_id: request.hold_id, payment_id: request.payment_id });
    const outcome = this.once(call, request.operation_id, print, () => this.holdOps.release(call, request));
    if (outcome.ok && !outcome.replayed) this.courier.afterCommit();
    return outcome;
  }

  /** Captures all or part of a hold; a hold is captured once: another capture is `hold_not_active`. */
  captureHold(call: Call, request: requests.CaptureRequest): Outcome<{ hold: T.HoldView }> {
    const print = fingerprint("capture", { hold_id: request.hold_id, amount: request.amount, payment_id: request.payment_id });
    return this.onceMoving(call, request.operation_id, print, () => this.holdOps.capture(call, request));
  }

  /** A payout's money leaves the system from the hold the payout placed (payouts/payout-do.ts). */
  payOutHold(call: Call, request: requests.PayOutRequest): Outcome<{ hold: T.HoldView }> {
    const { hold_id, payout_id, fee } = request;
    const print = fingerprint("pay_out", { hold_id, payout_id, ...(fee ? { fee: fee.amount, fee_to: fee.platform_wallet_id } : {}) });
    return this.onceMoving(call, request.operation_id, print, () => this.holdOps.payOut(call, request));
  }

  /**
   * A transfer to another user's wallet: debits this wallet and sends the credit through the
   * outbox, then waits (briefly) for that credit to land so the answer can say `succeeded`. Until it
   * answers, a repeat of the operation is told the request is still running.
   */
  async transfer(call: Call, request: requests.TransferRequest): Promise<Outcome<{ transfer: T.TransferView }>> {
    const { operation_id, transfer_id: _, ...fields } = request;
    const credit_operation_id = `${operation_id}:credit`;
    const debit = () => this.money.transferOut(call, request, credit_operation_id);
    const outcome = this.once(call, operation_id, fingerprint("transfer", fields), debit, call.now_ms + TRANSFER_AWAIT_MS);
    if (!outcome.ok || outcome.replayed) return outcome;
    // The backstop alarm is set before the first await: if the object dies while delivering, the
    // alarm still finds the credit in the outbox.
    this.scheduleAlarm();
    await this.outbox.deliver(request.to_wallet_id);
    const row = this.moves.getTransfer(outcome.transfer.id);
    const status = row ? this.money.transferStatus(row) : outcome.transfer.status;
    const answer = { ok: true as const, transfer: { ...outcome.transfer, status } };
    this.operations.finish(operation_id, answer);
    this.scheduleAlarm();
    return answer;
  }

  /** From a merchant's settlement wallet back to a user's wallet: a `debit` here, a `refund` entry there. */
  refundToWallet(call: Call, request: T.MoveRequest & { to_wallet_id: string }): Outcome<{ entry: T.EntryView }> {
    const { operation_id, ...fields } = request;
    return this.onceMoving(call, operation_id, fingerprint("refund_to_wallet", fields), () => this.money.refundToWallet(call, request));
  }

  /** On a merchant's settlement wallet: a card capture, money entering the system, less the commission. */
  creditCardCapture(call: Call, request: requests.CardCaptureRequest): Outcome<{ net: number }> {
    const { operation_id, ...fields } = request;
    return this.onceMoving(call, operation_id, fingerprint("card_capture", fields), () => this.money.creditCardCapture(call, request));
  }

  /** On a merchant's settlement wallet: a card top-up, its fee to the platform and its amount to the buyer's wallet. */
  creditCardTopUp(call: Call, request: requests.CardTopUpRequest): Outcome<{ net: number }> {
    const { operation_id, ...fields } = request;
    return this.onceMoving(call, operation_id, fingerprint("card_top_up", fields), () => this.money.creditCardTopUp(call, request));
  }

  /** Whether a card top-up fits today's top-up allowance, asked before the card is tried (nothing taken). */
  checkTopUpAllowance(call: Call, request: requests.AllowanceRequest): Outcome<object> {
    return this.read(call, () => this.limits.checkTopUp(request, call.now_ms));
  }

  /** A card top-up's share of today's allowance, taken once per operation id before its capture. */
  takeTopUpAllowance(call: Call, request: requests.AllowanceRequest): Outcome<{ taken_at_ms: number }> {
    const { operation_id, kyc_limits: _, ...fields } = request;
    return this.once(call, operation_id, fingerprint("top_up_allowance", fields), () => this.limits.takeTopUp(request, call.now_ms));
  }

  /** Gives back what a top-up took of the allowance of the day it was taken (its capture was refused), once. */
  giveBackTopUpAllowance(call: Call, request: requests.GiveBackRequest): Outcome<object> {
    const { operation_id, ...fields } = request;
    return this.once(call, operation_id, fingerprint("top_up_give_back", fields), () => this.limits.giveBackTopUp(request));
  }

  /** Money leaving the system to a card (a card payment's refund): a `debit`, counted as external. */
  refundToCard(call: Call, request: T.MoveRequest): Outcome<{ entry: T.EntryView }> {
    const { operation_id, ...fields } = request;
    return this.once(call, operation_id, fingerprint("refund_to_card", fields), () => this.money.refundToCard(call, request));
  }

  /** The receiving end of another wallet's outbox: each credit applies once per (source, operation id). */
  applyCredits(call: Call, source_wallet_id: string, credits: T.IncomingCredit[]): { applied: number } {
    this.enter(call);
    return { applied: this.ctx.storage.transactionSync(() => this.money.applyCredits(call, source_wallet_id, credits)) };
  }

  /**
   * Delivers due outbox rows now (only those for `target_wallet_id` when given, so a user's transfer
   * never waits on the merchant's busy settlement wallet); returns how much is still pending.
   */
  async flushOutbox(call: Call, target_wallet_id?: string): Promise<Outcome<{ pending: number }>> {
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
      await this.clock.refresh(this.env, this.owner.get());
      this.expireDueHolds({ wallet_id, now_ms: this.clock.now() });
      await this.outbox.deliver();
      await this.courier.forward();
    }
    this.scheduleAlarm();
  }

  // ---- internals ----------------------------------------------------------------------------

  private read<S extends { ok: true }>(call: Call, view: () => S | Refusal): S | Refusal {
    return this.enter(call) ?? view();
  }

  /**
   * Runs a mutation once per operation id (objects/operation-log.ts), in one synchronous
   * transaction that ends by checking the invariants. With `running_until_ms`, a success stays
   * 'running' until the operation's answer is finished.
   */
  private once<S extends { ok: true }>(
    call: Call,
    operation_id: string,
    print: string,
    mutate: () => S | Refusal,
    running_until_ms?: number,
  ): Replayable<S | Refusal> {
    const denied = this.enter(call);
    if (denied) return denied;
    return this.ctx.storage.transactionSync(() =>
      this.operations.once<S | Refusal>(operation_id, print, call.now_ms, () => {
        const answer = mutate();
        this.ledger.assertHeldMatchesActiveHolds();
        return { answer, running_until_ms: answer.ok ? running_until_ms : null };
      }),
    );
  }

  /** A mutation that may leave credits in the outbox (and events): their delivery starts once it commits. */
  private onceMoving<S extends { ok: true }>(call: Call, operation_id: string, print: string, mutate: () => S | Refusal) {
    const outcome = this.once(call, operation_id, print, mutate);
    if (!outcome.ok || outcome.replayed) return outcome;
    this.outbox.afterWrite();
    this.courier.afterCommit();
    return outcome;
  }

  /**
   * Checks the caller (objects/object-owner.ts) and remembers who the wallet is: its id (objects are
   * addressed by name) and how far the owner's clock runs ahead of real time (the sandbox clock),
   * so the alarm keeps the owner's time. Also expires due holds, so no read or write sees a hold
   * past its expiry.
   */
  private enter(call: Call): Refusal | null {
    if (!this.owner.admits(call)) return requests.walletNotFound();
    // Reads are frequent: meta is written only when it changes.
    if (this.ledger.getMeta("wallet_id") !== call.wallet_id) this.ledger.setMeta("wallet_id", call.wallet_id);
    this.clock.remember(call.clock_offset_ms);
    if (this.expireDueHolds(call) > 0) this.scheduleAlarm();
    return null;
  }

  /** Releases every hold whose expiry has passed, in one transaction; returns how many. */
  private expireDueHolds(call: Call): number {
    if (!this.holdOps.anyDue(call.now_ms)) return 0;
    const expired = this.ctx.storage.transactionSync(() => {
      const count = this.holdOps.expireDue(call);
      this.ledger.assertHeldMatchesActiveHolds();
      return count;
    });
    this.courier.afterCommit();
    return expired;
  }

  private scheduleAlarm(): void {
    planAlarm(this.ctx.storage, walletDeadlines(Date.now(), this.holds, this.moves, this.clock, this.courier));
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

/** Hands due outbox rows to their target wallet, which applies each once. */
async function deliverCredits(env: Env, ledger: LedgerStore, clock: ObjectClock, target: string, rows: OutboxRow[]): Promise<void> {
  const source = ledger.getMeta("wallet_id");
  // Rows are written only by calls that entered, which record the wallet's id first.
  if (!source) throw new Error("a wallet with outbox rows does not know its own id");
  const call = { wallet_id: target, now_ms: clock.now(), clock_offset_ms: clock.offsetMs() };
  await walletObject(env, target).applyCredits(call, source, rows.map(toIncomingCredit));
}
