import { DurableObject } from "cloudflare:workers";
import { assert } from "../domain/assert";
import { canonicalJson } from "../domain/fingerprint";
import type { KycLimits } from "../domain/kyc";
import { refusal, type Outcome as AnOutcome } from "../domain/outcome";
import * as machine from "../domain/payout-machine";
import type { PayoutState } from "../domain/payout-machine";
import { normalizeDestination } from "../domain/payout-destination";
import { sandboxRailPlan } from "../domain/sandbox-rail";
import { planAlarm } from "../objects/alarm";
import { DocumentStore, type StepRow } from "../objects/document-store";
import { EventCourier } from "../objects/event-courier";
import { EventOutbox } from "../objects/event-outbox";
import { applyMigrations } from "../objects/migrations";
import { ObjectClock } from "../objects/object-clock";
import type { ObjectIndex } from "../objects/object-index";
import { fingerprint, OperationLog } from "../objects/operation-log";
import { StepRunner } from "../objects/step-runner";
import { PAYOUT_MIGRATIONS } from "./migrations";
import { makeMove } from "./moves";
import { payoutIndex } from "./payout-index";
import type { Cause, CreatePayoutRequest, MoveResult, PayoutCall, PayoutRefusalCode, PayoutStep } from "./types";
import { payoutView, type PayoutView } from "./views";

/** A request's operation stays 'running' until its move on the wallet answers, however long retries take. */
const UNTIL_ANSWERED = Number.MAX_SAFE_INTEGER;
const STILL_RUNNING = { ok: false, code: "idempotency_key_in_use", message: "Still running." };
const INDEX_RETRY_MS = 5_000;

type Outcome<S> = AnOutcome<S, PayoutRefusalCode>;
type PayoutAnswer = Outcome<{ payout: PayoutView }>;
type Reserved = PayoutAnswer | { ok: true; seq: number; replayed?: undefined };

const notFound = () => refusal("not_found", "No such payout.");

/**
 * One object per payout (docs/guides/payouts.md). The payout is a document changed only by the
 * pure machine in domain/payout-machine.ts; this object persists each change with its events in one
 * transaction and makes the moves on the wallet it records (hold, pay out, release, take back a
 * return) one at a time through the kernel's step runner. The alarm plays the sandbox rail on the
 * merchant's clock, re-drives moves a crash interrupted, and keeps the D1 index up to date.
 */
export class PayoutDO extends DurableObject<Env> {
  private readonly store: DocumentStore<PayoutState, PayoutStep>;
  private readonly operations: OperationLog;
  private readonly events: EventOutbox;
  private readonly clock: ObjectClock;
  private readonly courier: EventCourier;
  private readonly steps: StepRunner<StepRow>;
  private readonly index: ObjectIndex<PayoutState>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new DocumentStore(ctx.storage.sql);
    this.operations = new OperationLog(ctx.storage.sql);
    this.events = new EventOutbox(ctx.storage.sql);
    this.clock = new ObjectClock(this.store);
    this.index = payoutIndex(env, this.store);
    this.courier = new EventCourier(ctx, this.events, env.EVENTS, () => this.owner(), {
      coalesce_ms: 0,
      replanAlarm: () => this.scheduleAlarm(),
    });
    this.steps = new StepRunner(ctx, this.store, {
      run: (row) => this.runMove(row),
      afterStep: () => {
        this.fireDue(this.clock.now());
        this.afterChange();
      },
      afterPostpone: () => this.scheduleAlarm(),
    });
    ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage.sql, PAYOUT_MIGRATIONS));
  }

  /** Opens the payout and holds its amount on the wallet; answers once the hold is placed (or refused). */
  async create(call: PayoutCall, request: CreatePayoutRequest): Promise<PayoutAnswer> {
    const { operation_id, kyc_limits, fee, ...fields } = request;
    const destination = normalizeDestination(request.destination);
    const print = fingerprint("create_payout", {
      ...fields,
      destination: canonicalJson(destination),
      metadata: canonicalJson(fields.metadata),
    });
    this.clock.remember(call.clock_offset_ms);
    const reserved = this.transaction(() =>
      this.operations.once<Reserved, PayoutAnswer>(operation_id, print, call.now_ms, () => {
        // A new operation id on an existing payout: the key was used for another request.
        if (this.store.state()) return { answer: keyReused(), keep: false };
        const rail = sandboxRailPlan(destination, call.now_ms);
        const opened = machine.openPayout({
          ...fields,
          ...call.owner,
          fee,
          destination,
          rail,
          hold_id: `hld_${request.id}`,
          created_at_ms: call.now_ms,
        });
        const seq = this.apply(opened, causeOf(call), operation_id, kyc_limits);
        assert(seq !== null, "a new payout records its hold");
        return { answer: { ok: true as const, seq }, stored: STILL_RUNNING, running_until_ms: UNTIL_ANSWERED };
      }),
    );
    if (!("seq" in reserved)) return reserved;
    this.afterChange();
    return (await this.steps.answerOf(reserved.seq)) as PayoutAnswer;
  }

  retrieve(call: PayoutCall): PayoutAnswer {
    const state = this.enter(call);
    return state ? { ok: true, payout: payoutView(state) } : notFound();
  }

  /** Cancels a pending payout: its hold is released, and the answer waits for that. */
  async cancel(call: PayoutCall, operation_id: string): Promise<PayoutAnswer> {
    const entered = this.enter(call);
    if (!entered) return notFound();
    const reserved = this.transaction(() =>
      this.operations.once<Reserved, PayoutAnswer>(operation_id, fingerprint("cancel_payout", {}), call.now_ms, () => {
        const canceled = machine.cancelPayout(this.payout(), call.now_ms);
        if (!canceled.ok) return { answer: canceled };
        const seq = this.apply(canceled, causeOf(call), operation_id);
        return { answer: { ok: true as const, seq: seq! }, stored: STILL_RUNNING, running_until_ms: UNTIL_ANSWERED };
      }),
    );
    if (!("seq" in reserved)) return reserved;
    this.afterChange();
    return (await this.steps.answerOf(reserved.seq)) as PayoutAnswer;
  }

  /** Plays what the rail did by the caller's clock (a moved sandbox clock); the events name that request. */
  async runDue(call: PayoutCall): Promise<void> {
    if (this.enter(call, causeOf(call))) await this.steps.drain();
  }

  override async alarm(): Promise<void> {
    const state = this.store.state();
    if (!state) return;
    this.courier.alarmFired();
    await this.clock.refresh(this.env, this.owner());
    this.fireDue(this.clock.now());
    await this.steps.drain();
    await this.index.writeOrLog();
    await this.courier.forward();
    this.scheduleAlarm();
  }

  // ---- internals ----------------------------------------------------------------------------

  /** The payout, when the caller owns it and it exists; first plays what the rail did by the caller's clock. */
  private enter(call: PayoutCall, cause: Cause = {}): (PayoutState & { phase: machine.PayoutStatus }) | null {
    const state = this.store.state();
    if (!state || state.merchant_id !== call.owner.merchant_id || state.mode !== call.owner.mode) return null;
    this.clock.remember(call.clock_offset_ms);
    this.fireDue(call.now_ms, cause);
    const now = this.payout();
    return machine.isShown(now) ? now : null;
  }

  /**
   * Records the rail's moves due by `now_ms`, in order, each in its own transaction: those that
   * move no money at once, up to the first that does (its step runs, and the rest wait for it).
   */
  private fireDue(now_ms: number, cause: Cause = {}): void {
    let fired = 0;
    for (let due = machine.railDue(this.payout(), now_ms); due; due = machine.railDue(this.payout(), now_ms), fired++) {
      const change = due;
      this.transaction(() => this.apply(change, cause, null));
    }
    if (fired === 0) return;
    this.afterChange();
    if (this.payout().moving) this.steps.kick();
  }

  /** Saves a change with its events (ids from the version: the fact) and its move; the move's step number. */
  private apply(change: machine.Change, cause: Cause, operation_id: string | null, limits: KycLimits | null = null): number | null {
    const { state } = change;
    this.store.saveState(state);
    for (const type of change.events) {
      if (machine.isShown(state))
        this.events.add(type, `${state.id}:${state.version}`, { object: payoutView(state) }, cause, state.updated_at_ms);
    }
    if (change.move === null) return null;
    const { id: payout_id, wallet_id, hold_id, user_id, amount, currency } = state;
    const description = state.description ?? "Payout";
    const step: PayoutStep = {
      kind: change.move,
      owner: this.ownerOf(state),
      payout_id,
      wallet_id,
      hold_id,
      user_id,
      amount,
      currency,
      description,
      operation_id,
      cause,
      fee: state.fee ?? null,
      limits,
    };
    return this.store.addStep(step, Date.now());
  }

  /** Makes one recorded move on the wallet, then records its result and answers whoever waits. */
  private async runMove(row: StepRow): Promise<unknown> {
    const step = JSON.parse(row.payload) as PayoutStep;
    const result = await makeMove(this.env, step, this.clock.now(), this.clock.offsetMs());
    return this.transaction(() => this.complete(row, step, result));
  }

  /** In the move's transaction: the payout's next phase, and the answer of the request that awaits it. (Crash tests replace it.) */
  private complete(row: StepRow, step: PayoutStep, result: MoveResult): PayoutAnswer {
    const now_ms = this.clock.now();
    const refused = result.kind === "refused";
    this.apply(refused ? machine.holdRefused(this.payout(), now_ms) : machine.moveDone(this.payout(), now_ms), step.cause, null);
    const state = this.payout();
    const answer: PayoutAnswer = refused ? refusal(result.code, result.message, "amount") : viewOf(state);
    this.store.finishStep(row.seq, answer);
    if (step.operation_id) this.operations.finish(step.operation_id, answer);
    return answer;
  }

  /** After a committed change: the alarm for the next deadline, the D1 index (off the response path), the events. */
  private afterChange(): void {
    this.scheduleAlarm();
    this.ctx.waitUntil(this.index.writeOrLog());
    this.courier.afterCommit();
  }

  /** One alarm for the earliest of: the rail's next move, a move's retry, an index write or event forward still owed. */
  private scheduleAlarm(): void {
    const state = this.store.state();
    if (!state) return;
    const now_ms = Date.now();
    const step = this.store.nextPendingStep();
    const rail_at = machine.nextRailAt(state);
    planAlarm(this.ctx.storage, {
      rail: rail_at === null ? null : this.clock.toRealMs(rail_at),
      step_retry: step ? Math.max(step.next_attempt_at_ms, now_ms + INDEX_RETRY_MS) : null,
      index_write: this.index.owed() ? now_ms + INDEX_RETRY_MS : null,
      events: this.courier.backstopAt(now_ms),
    });
  }

  /** One storage transaction; the in-memory copy of the payout is dropped if it rolls back. */
  private transaction<T>(work: () => T): T {
    try {
      return this.ctx.storage.transactionSync(work);
    } catch (error) {
      this.store.forgetState();
      throw error;
    }
  }

  private payout(): PayoutState {
    const state = this.store.state();
    assert(state !== null, "a payout object was used before its payout was created");
    return state;
  }

  private owner() {
    const state = this.store.state();
    return state ? this.ownerOf(state) : null;
  }

  private ownerOf(state: PayoutState) {
    return { merchant_id: state.merchant_id, mode: state.mode };
  }
}

function viewOf(state: PayoutState): PayoutAnswer {
  assert(machine.isShown(state), `payout ${state.id} answered while ${state.phase}`);
  return { ok: true, payout: payoutView(state) };
}

function causeOf(call: PayoutCall): Cause {
  return {
    ...(call.request_id ? { request_id: call.request_id } : {}),
    ...(call.idempotency_key ? { idempotency_key: call.idempotency_key } : {}),
  };
}

function keyReused() {
  return refusal("idempotency_key_reused", "This Idempotency-Key was already used for a different request; use a new key.");
}
