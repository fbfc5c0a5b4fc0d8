import { DurableObject } from "cloudflare:workers";
import { assert } from "../domain/assert";
import type { CardInput } from "../domain/card-simulator";
import { cancelCheckout, expireCheckout, type CheckoutState } from "../domain/checkout-machine";
import { refusal, type Outcome as AnOutcome } from "../domain/outcome";
import type { StepResult } from "../domain/payment-machine";
import { cancelRedirect } from "../domain/redirects";
import { planAlarm } from "../objects/alarm";
import { EventCourier } from "../objects/event-courier";
import { EventOutbox } from "../objects/event-outbox";
import { applyMigrations } from "../objects/migrations";
import { ObjectClock } from "../objects/object-clock";
import type { ObjectIndex } from "../objects/object-index";
import { fingerprint, OperationLog } from "../objects/operation-log";
import { StepRunner } from "../objects/step-runner";
import { cardAttempt, cardAttemptProblem, examineCard, topUpProblem, walletAttempt, walletAttemptProblem } from "./attempts";
import { callerProblem, browserCallerProblem, keyReused, notFound, type PaymentRefusal } from "./caller";
import { CheckoutRecord } from "./checkout-record";
import { checkoutDeadlines, fireDeadlines } from "./deadlines";
import * as asked from "./merchant-requests";
import type { CaptureRequest, Decided, RefundRequest } from "./merchant-requests";
import { PAYMENT_MIGRATIONS } from "./migrations";
import { paymentIndex } from "./payment-index";
import { PaymentStore, type StepRow } from "./payment-store";
import { completeStep } from "./step-completion";
import * as plan from "./step-plans";
import { executeStep } from "./steps";
import type { CreateRequest, PaymentCall, PaymentRefusalCode, PaymentStep, PayInput, PayResult } from "./types";
import * as views from "./views";

/** A request's operation stays 'running' until its step answers, however long retries take. */
const UNTIL_ANSWERED = Number.MAX_SAFE_INTEGER;
const STILL_RUNNING = { ok: false, code: "idempotency_key_in_use", message: "Still running." };
const INDEX_RETRY_MS = 5_000;

/** What a payment object answers: the shared vocabulary, narrowed to a payment's refusals. */
type Outcome<S> = AnOutcome<S, PaymentRefusalCode>;
type Entered = { ok: true; state: CheckoutState; now_ms: number };
type CheckoutAnswer = Outcome<{ checkout: views.CheckoutView }>;

/**
 * One object per checkout session or payment intent and the payment it authorizes (docs/architecture.md,
 * "Payments live in objects"). Transitions come from the pure machines in domain/; this object
 * persists each with its events in one transaction (payments/checkout-record.ts), reserving before
 * any await, and runs the steps on wallets one at a time in the order they were recorded
 * (payments/step-plans.ts, steps.ts, step-completion.ts). The alarm fires deadlines on the
 * merchant's clock, re-drives steps a crash interrupted, and keeps the D1 index up to date.
 */
export class PaymentDO extends DurableObject<Env> {
  // Field initializers run after super(), in order: each part is built over the storage and the parts before it.
  private readonly store = new PaymentStore(this.ctx.storage.sql);
  private readonly operations = new OperationLog(this.ctx.storage.sql);
  private readonly outbox = new EventOutbox(this.ctx.storage.sql);
  private readonly record = new CheckoutRecord(this.ctx, this.store, this.outbox);
  private readonly clock = new ObjectClock(this.store);
  private readonly index: ObjectIndex<CheckoutState> = paymentIndex(this.env, this.store);
  // A payment changes a few times in its life: its events go at once.
  private readonly courier = new EventCourier(this.ctx, this.outbox, this.env.EVENTS, () => this.ownerOrNull(), {
    coalesce_ms: 0,
    replanAlarm: () => this.scheduleAlarm(),
  });
  private readonly steps: StepRunner<StepRow> = new StepRunner(this.ctx, this.store, {
    run: (row) => this.runStep(row),
    afterStep: () => this.afterChange(),
    afterPostpone: () => this.scheduleAlarm(),
  });

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage.sql, PAYMENT_MIGRATIONS));
  }

  // ---- creating and reading -----------------------------------------------------------------

  create(call: PaymentCall, request: CreateRequest): CheckoutAnswer {
    const print = asked.createFingerprint(request);
    const outcome = this.record.transaction(() =>
      this.operations.once<CheckoutAnswer>(request.operation_id, print, call.now_ms, () => {
        const state = this.record.open({ ...request, now_ms: call.now_ms });
        // A new operation id on an existing checkout: the key was used for another request.
        return state ? { answer: { ok: true as const, checkout: views.checkoutView(state) } } : { answer: keyReused(), keep: false };
      }),
    );
    if (outcome.ok && !outcome.replayed) this.afterChange(call.clock_offset_ms);
    return outcome;
  }

  retrieve(call: PaymentCall): CheckoutAnswer {
    return this.read(call, (state) => ({ ok: true, checkout: views.checkoutView(state) }));
  }

  /** A browser's read with the merchant's publishable key and the checkout's client secret: the restricted view. */
  browserView(call: PaymentCall): Outcome<{ checkout: views.CheckoutBrowserView }> {
    return browserCallerProblem(this.store.state(), call) ?? this.read(call, (s) => ({ ok: true, checkout: views.checkoutBrowserView(s) }));
  }

  payment(call: PaymentCall): Outcome<{ payment: views.PaymentView; refunds: views.RefundView[] }> {
    return this.read(call, (state) =>
      state.payment ? { ok: true, payment: views.paymentView(state), refunds: this.store.refunds().map(views.refundView) } : notFound(),
    );
  }

  /** What the hosted page shows: the checkout, and for a wallet payment whose wallet it is. */
  page(call: PaymentCall) {
    return this.read(call, (state) => {
      const { kind, mode, merchant_name, buyer, merchant_id } = state;
      const payment_status = state.payment?.status ?? null;
      return { ok: true as const, checkout: views.checkoutView(state), kind, mode, merchant_name, buyer, merchant_id, payment_status };
    });
  }

  /** Whether an operation was answered here: a retried create replays its answer before anything is checked again. */
  knows(operation_id: string): boolean {
    return this.operations.find(operation_id) !== null;
  }

  events(call: PaymentCall) {
    type Payload = Record<string, Record<string, string | number | boolean | null>>;
    const events = () => this.record.recordedEvents().map((e) => ({ ...e, payload: JSON.parse(e.payload) as Payload }));
    return this.read(call, () => ({ ok: true as const, events: events() }));
  }

  /** Fires whatever came due by the caller's clock (a moved sandbox clock); the events name the request that moved it. */
  async runDue(call: PaymentCall): Promise<void> {
    const entered = this.enter(call, plan.causeOf(call));
    if (entered.ok) await this.steps.drain();
  }

  // ---- closing an open checkout ---------------------------------------------------------------

  expire(call: PaymentCall, operation_id: string): CheckoutAnswer {
    return this.closeCheckout(call, operation_id, "expire", (state) => expireCheckout(state, "merchant"));
  }

  cancel(call: PaymentCall, operation_id: string): CheckoutAnswer {
    return this.closeCheckout(call, operation_id, "cancel", (state) => cancelCheckout(state, "merchant"));
  }

  /** The buyer cancels on the hosted page. */
  buyerCancel(call: PaymentCall): Outcome<{ checkout: views.CheckoutView; redirect_url: string }> {
    const entered = this.enter(call);
    if (!entered.ok) return entered;
    const closed = cancelCheckout(entered.state, "buyer");
    if (!closed.ok) return closed;
    this.record.transaction(() => this.record.save(closed.state, closed.events, call, entered.now_ms));
    this.afterChange();
    return { ok: true, checkout: views.checkoutView(closed.state), redirect_url: cancelRedirect(closed.state) };
  }

  private closeCheckout(
    call: PaymentCall,
    operation_id: string,
    kind: string,
    close: (state: CheckoutState) => ReturnType<typeof expireCheckout>,
  ): CheckoutAnswer {
    const entered = this.enter(call);
    if (!entered.ok) return entered;
    const outcome = this.record.transaction(() =>
      this.operations.once<CheckoutAnswer>(operation_id, fingerprint(kind, {}), entered.now_ms, () => {
        const closed = close(entered.state);
        if (!closed.ok) return { answer: closed };
        const state = this.record.save(closed.state, closed.events, call, entered.now_ms);
        return { answer: { ok: true as const, checkout: views.checkoutView(state) } };
      }),
    );
    if (outcome.ok && !outcome.replayed) this.afterChange();
    return outcome;
  }

  // ---- the buyer pays -------------------------------------------------------------------------

  /**
   * One payment attempt from the hosted page (or a native app). A card is decided by the sandbox
   * simulator at once; a wallet payment holds the buyer's funds in their wallet, a step this object
   * awaits. Mistyped cards are refused without using an attempt.
   */
  async pay(call: PaymentCall, input: PayInput): Promise<Outcome<PayResult>> {
    const entered = this.enter(call);
    if (!entered.ok) return entered;
    if (input.method === "card") return this.payByCard(call, entered, input.card);
    return this.payByWallet(call, entered, input.otp);
  }

  private async payByCard(call: PaymentCall, entered: Entered, card: CardInput): Promise<Outcome<PayResult>> {
    const { state, now_ms } = entered;
    const problem = cardAttemptProblem(state, card, now_ms) ?? (await topUpProblem(this.env, state, now_ms, this.clock.offsetMs()));
    if (problem) return problem;
    // Examined before the transaction: nothing awaits between deciding and recording.
    const examined = await examineCard(card, this.env.DATA_ENCRYPTION_KEY);
    const answer = this.record.transaction(() => cardAttempt({ record: this.record, call, now_ms }, this.store, examined));
    if (!answer.ok) return answer;
    this.afterChange();
    return "seq" in answer ? ((await this.steps.answerOf(answer.seq)) as Outcome<PayResult>) : answer;
  }

  private async payByWallet(call: PaymentCall, entered: Entered, otp: string): Promise<Outcome<PayResult>> {
    const problem = walletAttemptProblem(entered.state);
    if (problem) return problem;
    const at = { record: this.record, call, now_ms: entered.now_ms };
    const reserved = this.record.transaction(() => walletAttempt(at, this.store, otp));
    if (!reserved.ok) return reserved;
    this.afterChange();
    if ("answered" in reserved) return { ok: true, ...reserved.answered };
    return (await this.steps.answerOf(reserved.seq)) as Outcome<PayResult>;
  }

  // ---- the merchant captures, voids and refunds ---------------------------------------------

  async capture(call: PaymentCall, request: CaptureRequest): Promise<Outcome<{ payment: views.PaymentView }>> {
    const decide = (state: CheckoutState, now_ms: number) => asked.decideCapture(state, request, now_ms, plan.causeOf(call));
    return this.stepRequest(call, request.operation_id, fingerprint("capture", { amount: request.amount }), decide);
  }

  async void(call: PaymentCall, operation_id: string): Promise<Outcome<{ payment: views.PaymentView }>> {
    const decide = (state: CheckoutState) => asked.decideVoid(state, operation_id, plan.causeOf(call));
    return this.stepRequest(call, operation_id, fingerprint("void", {}), decide);
  }

  async refund(call: PaymentCall, request: RefundRequest): Promise<Outcome<ReturnType<typeof views.refundAnswer>>> {
    const decide = (state: CheckoutState, now_ms: number) => asked.decideRefund(state, request, now_ms, plan.causeOf(call));
    return this.stepRequest(call, request.operation_id, asked.refundFingerprint(request), decide);
  }

  /**
   * A merchant request that needs a step on wallets: decided and reserved in one transaction (the
   * request's operation recorded as running), then answered when its step has run. A refusal is
   * recorded as the operation's answer, except "busy" ones, which a retry may get past.
   */
  private async stepRequest<S>(
    call: PaymentCall,
    operation_id: string,
    print: string,
    decide: (state: CheckoutState, now_ms: number) => Decided,
  ): Promise<Outcome<S>> {
    const entered = this.enter(call);
    if (!entered.ok) return entered;
    type Reserved = Outcome<S> | { ok: true; seq: number; replayed?: undefined };
    const reserved = this.record.transaction(() =>
      this.operations.once<Reserved, Outcome<S>>(operation_id, print, entered.now_ms, () => {
        const state = this.state();
        if (!state.payment) return { answer: notFound(), keep: false };
        const decided = decide(state, entered.now_ms);
        if (!decided.ok) return { answer: decided, keep: decided.code !== "payment_in_progress" };
        const seq = this.record.reserve(state, decided, call, entered.now_ms);
        return { answer: { ok: true as const, seq }, stored: STILL_RUNNING, running_until_ms: UNTIL_ANSWERED };
      }),
    );
    if (!("seq" in reserved)) return reserved;
    this.afterChange();
    return (await this.steps.answerOf(reserved.seq)) as Outcome<S>;
  }

  /** Runs one recorded step on its wallets and records its result. */
  private async runStep(row: StepRow): Promise<unknown> {
    const step = JSON.parse(row.payload) as PaymentStep;
    const result = await executeStep(this.env, step, this.state(), this.now(), this.clock.offsetMs());
    return this.record.transaction(() => this.complete(row, step, result));
  }

  /** In the step's transaction: its result recorded, and the answer of the request that awaits it. (Crash tests replace it.) */
  private complete(row: StepRow, step: PaymentStep, result: StepResult): unknown {
    const answer = completeStep(this.record, this.store, step, result, this.now());
    this.store.finishStep(row.seq, answer);
    if (step.operation_id) this.operations.finish(step.operation_id, answer);
    return answer;
  }

  // ---- deadlines, the alarm and the index -----------------------------------------------------

  /**
   * Admits the caller (payments/caller.ts), and fires what came due by the caller's clock first, so
   * no read ever shows a lapsed checkout as open. A buyer does not know the merchant's clock: the
   * object's last known offset applies.
   */
  private enter(call: PaymentCall, fired_by: plan.Cause = plan.NO_CAUSE): Entered | PaymentRefusal {
    const problem = callerProblem(this.store.state(), call);
    if (problem) return problem;
    if (call.owner) this.clock.remember(call.clock_offset_ms);
    const now_ms = call.owner ? call.now_ms : this.now();
    this.fireDue(now_ms, fired_by);
    return { ok: true, state: this.state(), now_ms };
  }

  private read<T extends { ok: true }>(call: PaymentCall, view: (state: CheckoutState) => T | PaymentRefusal): T | PaymentRefusal {
    const entered = this.enter(call);
    return entered.ok ? view(entered.state) : entered;
  }

  /** Expires a lapsed checkout, and starts voiding an authorization past its 7 days. */
  private fireDue(now_ms: number, cause: plan.Cause = plan.NO_CAUSE): void {
    const fired = fireDeadlines(this.record, this.store, now_ms, cause);
    if (fired.changed) this.afterChange();
    if (fired.voiding) this.steps.kick();
  }

  /** After a committed change: the alarm for the next deadline, and the D1 index (off the response path). */
  private afterChange(clock_offset_ms?: number): void {
    this.clock.remember(clock_offset_ms);
    this.scheduleAlarm();
    this.ctx.waitUntil(this.index.writeOrLog());
    this.courier.afterCommit();
  }

  override async alarm(): Promise<void> {
    const state = this.store.state();
    if (!state) return;
    this.courier.alarmFired();
    await this.clock.refresh(this.env, plan.ownerOf(state));
    this.fireDue(this.now());
    await this.steps.drain();
    await this.index.writeOrLog();
    await this.courier.forward();
    this.scheduleAlarm();
  }

  /**
   * One alarm for the earliest of: the checkout's expiry, the authorization's lapse, a step's retry, an index write or event
   * forward still owed.
   */
  private scheduleAlarm(): void {
    const state = this.store.state();
    if (!state) return;
    const now_ms = Date.now();
    const step = this.store.nextPendingStep();
    const { checkout_expiry, authorization_lapse } = checkoutDeadlines(state);
    planAlarm(this.ctx.storage, {
      checkout_expiry: checkout_expiry === null ? null : this.clock.toRealMs(checkout_expiry),
      authorization_lapse: authorization_lapse === null ? null : this.clock.toRealMs(authorization_lapse),
      step_retry: step ? Math.max(step.next_attempt_at_ms, now_ms + INDEX_RETRY_MS) : null,
      index_write: this.index.owed() ? now_ms + INDEX_RETRY_MS : null,
      events: this.courier.backstopAt(now_ms),
    });
  }

  /** The checkout, once the object has been entered or created: every path past those has one. */
  private state(): CheckoutState {
    const state = this.store.state();
    assert(state !== null, "a payment object was used before its checkout was created");
    return state;
  }

  private ownerOrNull() {
    const state = this.store.state();
    return state ? plan.ownerOf(state) : null;
  }

  private now(): number {
    return this.clock.now();
  }
}
