import { DurableObject } from "cloudflare:workers";
import { database } from "../db/client";
import { readSandboxClockOffset } from "../db/sandbox-clock";
import { backoffDelayMs } from "../domain/backoff";
import { CURRENCY_CODES, type Currency } from "../domain/currencies";
import { commissionMinor } from "../domain/money";
import { chainEntryView, entryView, holdView, LedgerStore, type OutboxRow } from "./ledger-store";
import { applyWalletMigrations } from "./migrations";
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
  Outcome,
} from "./types";

/** Outbox rows delivered per RPC to one target (the settlement wallet is hot: batch its credits). */
const OUTBOX_BATCH = 100;
/** How soon the alarm re-checks the outbox after a write, in case the immediate delivery is lost. */
const OUTBOX_BACKSTOP_MS = 5_000;

export interface CaptureRequest {
  operation_id: string;
  hold_id: string;
  /** Omitted: capture the whole hold. */
  amount?: number;
  merchant_id: string;
  commission_bps: number;
  settlement_wallet_id: string;
  platform_wallet_id: string;
}

/**
 * One object per wallet. Every balance mutation of the wallet runs here, one at a time, as one
 * synchronous storage transaction keyed by an operation id: a repeated id returns the first result
 * without a second effect. Money for other wallets leaves through the outbox (DESIGN.md).
 */
export class WalletDO extends DurableObject<Env> {
  private readonly store: LedgerStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new LedgerStore(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => applyWalletMigrations(ctx.storage.sql));
  }

  // ---- reads --------------------------------------------------------------------------------

  balances(call: CallContext): BalanceView[] {
    this.enter(call);
    return this.store.balances(CURRENCY_CODES);
  }

  listEntries(call: CallContext, filters: EntryFilters, limit: number, offset: number): { entries: EntryView[]; total: number } {
    this.enter(call);
    const page = this.store.listEntries(filters, limit, offset);
    return { entries: page.entries.map(entryView), total: page.total };
  }

  chain(call: CallContext, after_seq: number, limit: number): { entries: ChainEntryView[]; last_seq: number } {
    this.enter(call);
    return { entries: this.store.chain(after_seq, limit).map(chainEntryView), last_seq: this.store.lastSeq() };
  }

  getHold(call: CallContext, hold_id: string): HoldView | null {
    this.enter(call);
    const row = this.store.getHold(hold_id);
    return row ? holdView(row) : null;
  }

  auditTotals(call: CallContext, currency: Currency): AuditTotals {
    this.enter(call);
    const { available, held } = this.store.balance(currency);
    return {
      currency,
      total: available + held,
      outbox_pending: this.store.pendingOutbox(currency),
      ...this.store.externals(currency),
      commission_received: this.store.commissionByMerchant(currency),
    };
  }

  explainListEntries(filters: EntryFilters): string[] {
    return this.store.explainListEntries(filters);
  }

  // ---- mutations ----------------------------------------------------------------------------

  /** Money entering the system (a sandbox top-up, a card capture): a `credit` entry. */
  creditExternal(call: CallContext, move: MoveRequest): Outcome<{ entry: EntryView }> {
    return this.once(call, move.operation_id, () => {
      this.store.addExternal(move.currency, "in", move.amount);
      const entry = this.store.writeEntry(call.wallet_id, { ...move, type: "credit" }, call.now_ms);
      return { ok: true as const, entry: entryView(entry) };
    }, []);
  }

  placeHold(call: CallContext, move: MoveRequest & { hold_id: string; expires_at_ms: number | null }): Outcome<{ hold: HoldView }> {
    const outcome = this.once(call, move.operation_id, () => {
      if (this.store.balance(move.currency).available < move.amount) return insufficientFunds(move.currency);
      this.store.insertHold({ id: move.hold_id, currency: move.currency, amount: move.amount, reference: move.reference, description: move.description, expires_at_ms: move.expires_at_ms, created_at_ms: call.now_ms });
      this.store.writeEntry(call.wallet_id, { ...move, type: "hold", reference: move.reference ?? move.hold_id }, call.now_ms);
      return { ok: true as const, hold: holdView(this.store.getHold(move.hold_id)!) };
    }, [move.currency]);
    this.scheduleAlarm();
    return outcome;
  }

  releaseHold(call: CallContext, request: { operation_id: string; hold_id: string }): Outcome<{ hold: HoldView }> {
    return this.once(call, request.operation_id, () => {
      const hold = this.store.getHold(request.hold_id);
      if (!hold) return refusal("hold_not_found", "No such hold.");
      if (hold.status !== "active") return refusal("hold_not_active", `The hold is already ${hold.status}.`);
      this.releaseWholeHold(call, request.operation_id, hold.id, "released");
      return { ok: true as const, hold: holdView(this.store.getHold(hold.id)!) };
    }, this.currencyOfHold(request.hold_id));
  }

  /**
   * Captures all or part of a hold: the captured amount leaves the wallet (a `debit` of held funds)
   * towards the merchant's settlement wallet, less commission towards the platform's revenue wallet;
   * the rest is released. Both credits travel by outbox, so this never waits on the merchant's object.
   */
  captureHold(call: CallContext, request: CaptureRequest): Outcome<{ hold: HoldView; commission: number; net: number }> {
    const outcome = this.once(call, request.operation_id, () => {
      const hold = this.store.getHold(request.hold_id);
      if (!hold) return refusal("hold_not_found", "No such hold.");
      if (hold.status !== "active") return refusal("hold_not_active", `The hold is already ${hold.status}.`);
      const amount = request.amount ?? hold.amount;
      if (amount > hold.amount) return refusal("amount_exceeds_hold", `The hold is ${hold.amount}; capture at most that.`);
      const currency = hold.currency as Currency;
      const commission = commissionMinor(amount, request.commission_bps);
      const net = amount - commission;
      this.store.resolveHold(hold.id, "captured", amount, call.now_ms);
      const base = { currency, description: hold.description, reference: hold.reference ?? hold.id };
      this.store.writeEntry(call.wallet_id, { ...base, operation_id: request.operation_id, type: "debit", debit_from: "held", amount }, call.now_ms);
      if (amount < hold.amount) {
        this.store.writeEntry(call.wallet_id, { ...base, operation_id: request.operation_id, type: "release", amount: hold.amount - amount }, call.now_ms);
      }
      const credit = { entry_type: "credit" as const, currency, merchant_id: request.merchant_id, description: hold.description, reference: hold.reference ?? hold.id };
      if (net > 0) this.store.enqueueCredit(request.settlement_wallet_id, { ...credit, operation_id: `${request.operation_id}:settlement`, kind: "settlement", amount: net }, call.now_ms);
      if (commission > 0) this.store.enqueueCredit(request.platform_wallet_id, { ...credit, operation_id: `${request.operation_id}:commission`, kind: "commission", amount: commission }, call.now_ms);
      return { ok: true as const, hold: holdView(this.store.getHold(hold.id)!), commission, net };
    }, this.currencyOfHold(request.hold_id));
    this.afterOutboxWrite();
    return outcome;
  }

  /** Debits this wallet and sends the credit to another wallet through the outbox. */
  transfer(call: CallContext, move: MoveRequest & { to_wallet_id: string; entry_type: "credit" | "refund"; merchant_id: string | null }): Outcome<{ entry: EntryView }> {
    const outcome = this.once(call, move.operation_id, () => {
      if (this.store.balance(move.currency).available < move.amount) return insufficientFunds(move.currency);
      const entry = this.store.writeEntry(call.wallet_id, { ...move, type: "debit", debit_from: "available" }, call.now_ms);
      this.store.enqueueCredit(move.to_wallet_id, { operation_id: `${move.operation_id}:credit`, kind: "transfer", entry_type: move.entry_type, currency: move.currency, amount: move.amount, description: move.description, reference: move.reference, merchant_id: move.merchant_id }, call.now_ms);
      return { ok: true as const, entry: entryView(entry) };
    }, []);
    this.afterOutboxWrite();
    return outcome;
  }

  /** The receiving end of other wallets' outboxes: each credit applies once, whatever the redeliveries. */
  applyCredits(call: CallContext, credits: IncomingCredit[]): { applied: number } {
    this.enter(call);
    let applied = 0;
    this.ctx.storage.transactionSync(() => {
      for (const credit of credits) {
        if (this.store.findOperation(credit.operation_id)) continue;
        const entry = this.store.writeEntry(call.wallet_id, { ...credit, type: credit.entry_type }, call.now_ms);
        if (credit.kind === "commission" && credit.merchant_id) this.store.addCommission(credit.merchant_id, credit.currency, credit.amount);
        this.store.recordOperation(credit.operation_id, { ok: true, entry_id: entry.id }, call.now_ms);
        applied++;
      }
    });
    return { applied };
  }

  /**
   * Delivers due outbox rows now (only those for `target_wallet_id` when given, so a user's transfer
   * never waits on the merchant's busy settlement wallet); returns how much is still pending.
   */
  async flushOutbox(call: CallContext, target_wallet_id?: string): Promise<{ pending: number }> {
    this.enter(call);
    await this.deliverOutbox(target_wallet_id);
    return { pending: CURRENCY_CODES.reduce((sum, c) => sum + this.store.pendingOutbox(c, target_wallet_id), 0) };
  }

  // ---- the alarm: hold expiry and outbox redelivery -----------------------------------------

  override async alarm(): Promise<void> {
    const wallet_id = this.store.getMeta("wallet_id");
    if (wallet_id) {
      await this.refreshSandboxClock();
      this.expireDueHolds({ wallet_id, now_ms: this.clockNow() });
      await this.deliverOutbox();
    }
    this.scheduleAlarm();
  }

  // ---- internals ----------------------------------------------------------------------------

  /**
   * Runs a mutation once per operation id, in one synchronous transaction that ends by checking the
   * invariants. A refusal is returned, not stored: it changed nothing, so a retry may succeed later.
   * `hold_currencies` names the currencies whose holds the mutation touched: `held` is re-summed
   * against their active holds. Every entry's balance move is checked as it is written.
   */
  private once<T extends { ok: boolean }>(call: CallContext, operation_id: string, mutate: () => T, hold_currencies: Currency[]): T {
    this.enter(call);
    return this.ctx.storage.transactionSync(() => {
      const previous = this.store.findOperation<T>(operation_id);
      if (previous) return previous;
      const result = mutate();
      if (result.ok) {
        for (const currency of hold_currencies) this.store.assertHeldMatchesHolds(currency);
        this.store.recordOperation(operation_id, result, call.now_ms);
      }
      return result;
    });
  }

  private releaseWholeHold(call: CallContext, operation_id: string, hold_id: string, status: "released" | "expired"): void {
    const hold = this.store.getHold(hold_id)!;
    this.store.resolveHold(hold.id, status, 0, call.now_ms);
    this.store.writeEntry(call.wallet_id, {
      operation_id,
      type: "release",
      currency: hold.currency as Currency,
      amount: hold.amount,
      description: status === "expired" ? "Hold expired" : hold.description,
      reference: hold.reference ?? hold.id,
    }, call.now_ms);
  }

  private currencyOfHold(hold_id: string): Currency[] {
    const hold = this.store.getHold(hold_id);
    return hold ? [hold.currency as Currency] : [];
  }

  /**
   * Remembers which wallet this object is and how far the caller's clock is from real time (the
   * sandbox clock can run ahead), so the alarm can tell the caller's time when it fires. Also expires
   * due holds first, so no read or write ever sees a hold past its expiry as active.
   */
  private enter(call: CallContext): void {
    // Reads are frequent: meta is written only when it changes.
    this.setMetaIfChanged("wallet_id", call.wallet_id);
    if (call.owner) {
      this.setMetaIfChanged("merchant_id", call.owner.merchant_id);
      this.setMetaIfChanged("mode", call.owner.mode);
    }
    if (call.clock_offset_ms !== undefined) this.setMetaIfChanged("clock_offset_ms", String(call.clock_offset_ms));
    if (this.expireDueHolds(call) > 0) this.scheduleAlarm();
  }

  /** Releases every hold whose expiry has passed, in one transaction; returns how many. */
  private expireDueHolds(call: CallContext): number {
    const due = this.store.dueHolds(call.now_ms);
    if (due.length === 0) return 0;
    this.ctx.storage.transactionSync(() => {
      for (const hold of due) this.releaseWholeHold(call, `expire:${hold.id}`, hold.id, "expired");
      for (const currency of new Set(due.map((h) => h.currency as Currency))) this.store.assertHeldMatchesHolds(currency);
    });
    return due.length;
  }

  private setMetaIfChanged(key: string, value: string): void {
    if (this.store.getMeta(key) !== value) this.store.setMeta(key, value);
  }

  /**
   * A sandbox merchant's clock can be moved forward between calls (POST /sandbox/clock); the alarm
   * reads it afresh so that holds expire by the merchant's time even when no request arrives.
   */
  private async refreshSandboxClock(): Promise<void> {
    const merchant_id = this.store.getMeta("merchant_id");
    if (!merchant_id || this.store.getMeta("mode") !== "sandbox") return;
    const offset_seconds = await readSandboxClockOffset(database(this.env.DB), merchant_id);
    this.store.setMeta("clock_offset_ms", String(offset_seconds * 1000));
  }

  private clockOffsetMs(): number {
    return Number(this.store.getMeta("clock_offset_ms") ?? 0);
  }

  private clockNow(): number {
    return Date.now() + this.clockOffsetMs();
  }

  /** One alarm multiplexes every hold expiry and outbox retry: it is set for the earliest. */
  private scheduleAlarm(): void {
    const offset_ms = this.clockOffsetMs();
    const times = [this.store.nextHoldExpiry(), this.store.nextOutboxAttempt()].filter((t): t is number => t !== null);
    if (times.length === 0) {
      void this.ctx.storage.deleteAlarm();
      return;
    }
    void this.ctx.storage.setAlarm(Math.max(Date.now(), Math.min(...times) - offset_ms));
  }

  /** Delivery starts at once, without holding up the caller; the alarm is the backstop if it is lost. */
  private afterOutboxWrite(): void {
    const pending = this.store.nextOutboxAttempt();
    if (pending === null) return;
    const offset_ms = this.clockOffsetMs();
    void this.ctx.storage.setAlarm(Math.min(Date.now() + OUTBOX_BACKSTOP_MS, Math.max(Date.now(), pending - offset_ms + OUTBOX_BACKSTOP_MS)));
    this.ctx.waitUntil(this.deliverOutbox().catch((error) => console.error(JSON.stringify({ outbox_delivery_failed: String(error) }))));
  }

  private async deliverOutbox(only_target?: string): Promise<void> {
    const wallet_id = this.store.getMeta("wallet_id");
    if (!wallet_id) return;
    const now_ms = this.clockNow();
    const due = this.store.dueOutbox(now_ms, OUTBOX_BATCH * 10).filter((row) => !only_target || row.target_wallet_id === only_target);
    const byTarget = Map.groupBy(due, (row) => row.target_wallet_id);
    for (const [target, rows] of byTarget) {
      for (let i = 0; i < rows.length; i += OUTBOX_BATCH) {
        const batch = rows.slice(i, i + OUTBOX_BATCH);
        const ids = batch.map((r) => r.operation_id);
        try {
          await walletStub(this.env, target).applyCredits({ wallet_id: target, now_ms: this.clockNow(), clock_offset_ms: this.clockOffsetMs() }, batch.map(toIncomingCredit));
          this.store.markSent(ids, this.clockNow());
        } catch (error) {
          console.error(JSON.stringify({ wallet_id, target, outbox_attempt_failed: String(error) }));
          this.store.markAttemptFailed(ids, (attempts) => backoffDelayMs(attempts), this.clockNow());
        }
      }
    }
  }
}

export function walletStub(env: Env, wallet_id: string): DurableObjectStub<WalletDO> {
  return env.WALLET.get(env.WALLET.idFromName(wallet_id)) as DurableObjectStub<WalletDO>;
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
    merchant_id: row.merchant_id,
  };
}

function refusal(code: "hold_not_found" | "hold_not_active" | "amount_exceeds_hold", message: string) {
  return { ok: false as const, code, message };
}

function insufficientFunds(currency: Currency) {
  return { ok: false as const, code: "insufficient_funds" as const, message: `Insufficient available ${currency} balance.` };
}
