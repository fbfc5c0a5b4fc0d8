import { DurableObject } from "cloudflare:workers";
import { timingSafeEqual } from "../crypto/encoding";
import { database } from "../db/client";
import { upsertPaymentIndex } from "../db/payments";
import {
  cardProblem,
  CARD_PROBLEM_MESSAGES,
  CARD_PROBLEM_PARAMS,
  simulateAuthorization,
  summarizeCard,
  type CardInput,
} from "../domain/card-simulator";
import {
  attemptsRemaining,
  beginAttempt,
  cancelCheckout,
  expireCheckout,
  finishAttempt,
  isOpen,
  openCheckout,
  type AttemptOutcome,
  type CheckoutState,
  type NewCheckout,
} from "../domain/checkout-machine";
import { checkoutIds, newRefundId, newWalletScopedId } from "../domain/ids";
import {
  AUTHORIZATION_LIFETIME_MS,
  beginCapture,
  beginRefund,
  beginVoid,
  captureRefusal,
  finishCapture,
  finishRefund,
  finishVoid,
  isDueForAutoVoid,
  openPayment,
  refundRefusal,
  type PaymentState,
  type StepResult,
} from "../domain/payment-machine";
import type { CheckoutEventType } from "../domain/events";
import { canonicalJson } from "../domain/fingerprint";
import { cancelRedirect, successRedirect } from "../domain/redirects";
import { EventOutbox } from "../objects/event-outbox";
import { applyMigrations } from "../objects/migrations";
import { fingerprint, OperationLog } from "../objects/operation-log";
import { planAlarm } from "../objects/alarm";
import { StepRunner } from "../objects/step-runner";
import { EventCourier } from "../objects/event-courier";
import { ObjectClock } from "../objects/object-clock";
import { cardFingerprint } from "./card-fingerprint";
import { PAYMENT_MIGRATIONS } from "./migrations";
import { PaymentStore, type StepRow } from "./payment-store";
import { executeStep } from "./steps";
import type { PaymentCall, PaymentRefusalCode, PaymentStep, PayInput, PayResult } from "./types";
import { refusal, type Outcome as AnOutcome, type Refusal } from "../domain/outcome";
import {
  checkoutBrowserView,
  checkoutView,
  paymentView,
  refundAnswer,
  refundView,
  type CheckoutBrowserView,
  type CheckoutView,
  type PaymentView,
  type RefundView,
} from "./views";

/** A wallet hold outlives the payment's own 7-day deadline by an hour: the wallet releases it even if this object never returns. */
const HOLD_BACKSTOP_MS = 60 * 60 * 1000;
/** The sandbox's confirmation code for wallet payments (the page says so). */
export const SANDBOX_OTP = "123456";
/** A request's operation stays 'running' until its step answers, however long retries take. */
const UNTIL_ANSWERED = Number.MAX_SAFE_INTEGER;
const INDEX_RETRY_MS = 5_000;

/** What a payment object answers: the shared vocabulary, narrowed to a payment's refusals. */
type Outcome<S> = AnOutcome<S, PaymentRefusalCode>;
type PaymentRefusal = Refusal<PaymentRefusalCode>;
type Entered = { state: CheckoutState; now_ms: number };

export interface CreateRequest extends Omit<NewCheckout, "now_ms"> {
  operation_id: string;
}

export interface MoneyDestinations {
  settlement_wallet_id: string;
  platform_wallet_id: string;
}

/**
 * One object per checkout session or payment intent and the payment it authorizes (docs/architecture.md,
 * "Payments live in objects"). Transitions come from the pure machines in domain/; this object
 * persists each with its events in one transaction, reserving before any await, and runs the steps
 * on wallets one at a time in the order they were recorded. The alarm fires deadlines on the
 * merchant's clock, re-drives steps a crash interrupted, and keeps the D1 index up to date.
 */
export class PaymentDO extends DurableObject<Env> {
  private readonly store: PaymentStore;
  private readonly operations: OperationLog;
  private readonly eventOutbox: EventOutbox;
  private readonly clock: ObjectClock;
  private readonly courier: EventCourier;
  private readonly steps: StepRunner<StepRow>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new PaymentStore(ctx.storage.sql);
    this.operations = new OperationLog(ctx.storage.sql);
    this.eventOutbox = new EventOutbox(ctx.storage.sql);
    this.clock = new ObjectClock(this.store);
    // A payment changes a few times in its life: its events go at once.
    this.courier = new EventCourier(ctx, this.eventOutbox, env.EVENTS, () => this.ownerOf(), {
      coalesce_ms: 0,
      replanAlarm: () => this.scheduleAlarm(),
    });
    this.steps = new StepRunner(ctx, this.store, {
      run: async (row) => {
        const step = JSON.parse(row.payload) as PaymentStep;
        const result = await executeStep(this.env, step, this.store.state()!, this.now(), this.clock.offsetMs());
        return this.transaction(() => this.complete(row, step, result));
      },
      afterStep: () => this.afterChange(),
      afterPostpone: () => this.scheduleAlarm(),
    });
    ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage.sql, PAYMENT_MIGRATIONS));
  }

  // ---- creating and reading -----------------------------------------------------------------

  create(call: PaymentCall, request: CreateRequest): Outcome<{ checkout: CheckoutView }> {
    const { operation_id, client_secret: _, checkout_url: __, locale, ...fields } = request;
    // `auto` (the default) is left out, so a request's fingerprint is what it was before checkouts had a locale.
    const print = fingerprint("create", {
      ...fields,
      metadata: canonicalJson(fields.metadata),
      buyer: fields.buyer?.user_id ?? null,
      ...(locale === "auto" ? {} : { locale }),
    });
    const outcome: Outcome<{ checkout: CheckoutView }> = this.transaction(() => {
      const previous = this.operations.find(operation_id);
      if (previous) return this.operations.replay<Outcome<{ checkout: CheckoutView }>>(previous, print, call.now_ms);
      if (this.store.state())
        return refusal("idempotency_key_reused", "This Idempotency-Key was already used for a different request; use a new key.");
      const state = openCheckout({ ...request, now_ms: call.now_ms });
      this.store.saveState(state);
      const answer = { ok: true as const, checkout: checkoutView(state) };
      this.operations.record(operation_id, print, answer, call.now_ms);
      return answer;
    });
    if (outcome.ok && !outcome.replayed) this.afterChange(call.clock_offset_ms);
    return outcome;
  }

  retrieve(call: PaymentCall): Outcome<{ checkout: CheckoutView }> {
    const entered = this.enter(call);
    return "code" in entered ? entered : { ok: true, checkout: checkoutView(entered.state) };
  }

  /**
   * A browser's read with the merchant's publishable key and the checkout's client secret: both are
   * checked (another merchant's or mode's key is a 404 before the secret is looked at), and the
   * answer is the restricted view.
   */
  browserView(call: PaymentCall): Outcome<{ checkout: CheckoutBrowserView }> {
    if (!call.owner || call.client_secret === undefined)
      return refusal("client_secret_invalid", "The client_secret does not match this checkout.");
    const entered = this.enter(call);
    return "code" in entered ? entered : { ok: true, checkout: checkoutBrowserView(entered.state) };
  }

  payment(call: PaymentCall): Outcome<{ payment: PaymentView; refunds: RefundView[] }> {
    const entered = this.enter(call);
    if ("code" in entered) return entered;
    if (!entered.state.payment) return notFound();
    return { ok: true, payment: paymentView(entered.state), refunds: this.store.refunds().map(refundView) };
  }

  /**
   * What the hosted page shows: the checkout, and for a wallet payment whose wallet it is. The page
   * sends the buyer back through domain/redirects.ts from the checkout and its kind.
   */
  page(call: PaymentCall): Outcome<{
    checkout: CheckoutView;
    kind: CheckoutState["kind"];
    mode: CheckoutState["mode"];
    merchant_name: string;
    buyer: CheckoutState["buyer"];
    merchant_id: string;
  }> {
    const entered = this.enter(call);
    if ("code" in entered) return entered;
    const { state } = entered;
    return {
      ok: true,
      checkout: checkoutView(state),
      kind: state.kind,
      mode: state.mode,
      merchant_name: state.merchant_name,
      buyer: state.buyer,
      merchant_id: state.merchant_id,
    };
  }

  events(call: PaymentCall) {
    const entered = this.enter(call);
    if ("code" in entered) return entered;
    return {
      ok: true as const,
      events: this.eventOutbox
        .all()
        .map((e) => ({ ...e, payload: JSON.parse(e.payload) as Record<string, Record<string, string | number | boolean | null>> })),
    };
  }

  /**
   * Fires whatever came due by the caller's clock (a moved sandbox clock), as if the time had
   * passed; the events name the request that moved the clock.
   */
  async runDue(call: PaymentCall): Promise<void> {
    const entered = this.enter(call, causeOf(call));
    if (!("code" in entered)) await this.steps.drain();
  }

  // ---- the merchant closes an open checkout -------------------------------------------------

  expire(call: PaymentCall, operation_id: string): Outcome<{ checkout: CheckoutView }> {
    return this.closeCheckout(call, operation_id, "expire", (state) => expireCheckout(state, "merchant"));
  }

  cancel(call: PaymentCall, operation_id: string): Outcome<{ checkout: CheckoutView }> {
    return this.closeCheckout(call, operation_id, "cancel", (state) => cancelCheckout(state, "merchant"));
  }

  /** The buyer cancels on the hosted page. */
  buyerCancel(call: PaymentCall): Outcome<{ checkout: CheckoutView; redirect_url: string }> {
    const entered = this.enter(call);
    if ("code" in entered) return entered;
    const closed = cancelCheckout(entered.state, "buyer");
    if ("refused" in closed) return refusal(closed.refused, closed.message);
    this.transaction(() => this.save(closed.state, closed.events, call, entered.now_ms));
    this.afterChange();
    return { ok: true, checkout: checkoutView(closed.state), redirect_url: cancelRedirect(closed.state) };
  }

  private closeCheckout(
    call: PaymentCall,
    operation_id: string,
    kind: string,
    close: (state: CheckoutState) => ReturnType<typeof expireCheckout>,
  ): Outcome<{ checkout: CheckoutView }> {
    const entered = this.enter(call);
    if ("code" in entered) return entered;
    const outcome: Outcome<{ checkout: CheckoutView }> = this.transaction(() => {
      const previous = this.operations.find(operation_id);
      const print = fingerprint(kind, {});
      if (previous) return this.operations.replay<Outcome<{ checkout: CheckoutView }>>(previous, print, entered.now_ms);
      const closed = close(entered.state);
      if ("refused" in closed) return this.remember(operation_id, print, refusal(closed.refused, closed.message), entered.now_ms);
      const state = this.save(closed.state, closed.events, call, entered.now_ms);
      return this.remember(operation_id, print, { ok: true as const, checkout: checkoutView(state) }, entered.now_ms);
    });
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
    if ("code" in entered) return entered;
    if (input.method === "card") return this.payByCard(call, entered, input.card);
    return this.payByWallet(call, entered, input.otp);
  }

  private async payByCard(call: PaymentCall, entered: Entered, card: CardInput): Promise<Outcome<PayResult>> {
    if (entered.state.kind !== "intent") return refusal("checkout_not_open", "This checkout is paid from the buyer's wallet.");
    if (entered.state.mode === "live")
      return refusal("card_processing_unavailable", "Live card payments need a card processor, which is not connected yet.");
    const problem = cardProblem(card, entered.now_ms);
    if (problem) return { ok: false, code: "card_invalid", message: CARD_PROBLEM_MESSAGES[problem], param: CARD_PROBLEM_PARAMS[problem] };
    // The fingerprint is computed before the transaction: nothing awaits between deciding and recording.
    const summary = summarizeCard(card, await cardFingerprint(card.number, this.env.DATA_ENCRYPTION_KEY));
    const decision = simulateAuthorization(card);
    return this.transaction(
      () => {
        const state = this.store.state()!;
        const started = beginAttempt(state, "card");
        if ("refused" in started) return refusal(started.refused, started.message);
        const outcome: AttemptOutcome = decision.approved
          ? {
              approved: true,
              payment: openPayment({
                id: this.ids(state).payment,
                method: "card",
                amount: state.amount,
                hold_id: null,
                card: summary,
                now_ms: entered.now_ms,
              }),
            }
          : { approved: false, decline_code: decision.decline_code, counts: true };
        const finished = finishAttempt(started.state, outcome);
        const saved = this.save(finished.state, finished.events, call, entered.now_ms);
        return {
          ok: true as const,
          ...payResult(saved, decision.approved ? null : { decline_code: decision.decline_code, message: decision.message }),
        };
      },
      () => this.afterChange(),
    );
  }

  private async payByWallet(call: PaymentCall, entered: Entered, otp: string): Promise<Outcome<PayResult>> {
    const state = entered.state;
    if (state.kind !== "session" || !state.buyer) return refusal("checkout_not_open", "This checkout is paid by card.");
    if (state.mode === "live")
      return refusal("otp_unavailable", "Live wallet payments need a confirmation-code sender, which is not connected yet.");
    const buyer = state.buyer;
    type Reserved = { ok: true; answered: PayResult } | { ok: true; seq: number } | PaymentRefusal;
    const reserved: Reserved = this.transaction((): Reserved => {
      const started = beginAttempt(this.store.state()!, "wallet");
      if ("refused" in started) return refusal(started.refused, started.message);
      if (otp !== SANDBOX_OTP) {
        const finished = finishAttempt(started.state, { approved: false, decline_code: "invalid_otp", counts: true });
        const saved = this.save(finished.state, finished.events, call, entered.now_ms);
        return {
          ok: true as const,
          answered: payResult(saved, {
            decline_code: "invalid_otp",
            message: `The confirmation code is not right. In sandbox it is always ${SANDBOX_OTP}.`,
          }),
        };
      }
      this.save(started.state, [], call, entered.now_ms);
      const payment_id = this.ids(state).payment;
      const seq = this.store.addStep(
        {
          kind: "authorize_wallet",
          attempt: started.attempt,
          wallet_id: buyer.wallet_id,
          hold_id: newWalletScopedId("hold", buyer.wallet_id),
          user_id: buyer.user_id,
          amount: state.amount,
          currency: state.currency,
          expires_at_ms: entered.now_ms + AUTHORIZATION_LIFETIME_MS + HOLD_BACKSTOP_MS,
          payment_id,
          owner: owner(state),
          operation_id: null,
          cause: causeOf(call),
        },
        Date.now(),
      );
      return { ok: true as const, seq };
    });
    if (!reserved.ok) return reserved;
    this.afterChange();
    if ("answered" in reserved) return { ok: true, ...reserved.answered };
    return (await this.steps.answerOf(reserved.seq)) as Outcome<PayResult>;
  }

  // ---- the merchant captures, voids and refunds ---------------------------------------------

  async capture(
    call: PaymentCall,
    request: { operation_id: string; amount?: number; commission_bps: number } & MoneyDestinations,
  ): Promise<Outcome<{ payment: PaymentView }>> {
    return this.stepRequest(call, request.operation_id, fingerprint("capture", { amount: request.amount }), (state, now_ms) => {
      const begun = beginCapture(state.payment!, request.amount, request.commission_bps, now_ms);
      if ("refused" in begun) return begun;
      const p = state.payment!;
      const base = {
        payment_id: p.id,
        amount: begun.amount,
        commission: begun.commission,
        commission_bps: request.commission_bps,
        settlement_wallet_id: request.settlement_wallet_id,
        platform_wallet_id: request.platform_wallet_id,
      };
      const step: PaymentStep =
        p.method === "wallet"
          ? {
              ...base,
              kind: "capture_wallet",
              wallet_id: state.buyer!.wallet_id,
              hold_id: p.hold_id!,
              owner: owner(state),
              operation_id: request.operation_id,
              cause: causeOf(call),
            }
          : {
              ...base,
              kind: "capture_card",
              currency: state.currency,
              owner: owner(state),
              operation_id: request.operation_id,
              cause: causeOf(call),
            };
      return { payment: begun.payment, step };
    });
  }

  async void(call: PaymentCall, operation_id: string): Promise<Outcome<{ payment: PaymentView }>> {
    return this.stepRequest(call, operation_id, fingerprint("void", {}), (state) => {
      const begun = beginVoid(state.payment!);
      if ("refused" in begun) return begun;
      return { payment: begun.payment, step: releaseStep(state, "void", operation_id, causeOf(call)) };
    });
  }

  async refund(
    call: PaymentCall,
    request: {
      operation_id: string;
      amount?: number;
      reason: string;
      metadata: Record<string, string | number | boolean | null>;
    } & MoneyDestinations,
  ): Promise<Outcome<ReturnType<typeof refundAnswer>>> {
    const print = fingerprint("refund", { amount: request.amount, reason: request.reason, metadata: canonicalJson(request.metadata) });
    return this.stepRequest(call, request.operation_id, print, (state, now_ms) => {
      const begun = beginRefund(state.payment!, request.amount, now_ms);
      if ("refused" in begun) return begun;
      const refund_id = newRefundId(this.objectKey(state));
      this.store.addRefund({
        id: refund_id,
        amount: begun.amount,
        reason: request.reason,
        metadata: JSON.stringify(request.metadata),
        created_at_ms: now_ms,
      });
      const step: PaymentStep = {
        kind: "refund",
        refund_id,
        amount: begun.amount,
        currency: state.currency,
        settlement_wallet_id: request.settlement_wallet_id,
        platform_wallet_id: request.platform_wallet_id,
        to_wallet_id: state.payment!.method === "wallet" ? state.buyer!.wallet_id : null,
        payment_id: state.payment!.id,
        owner: owner(state),
        operation_id: request.operation_id,
        cause: causeOf(call),
      };
      return { payment: begun.payment, step };
    });
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
    decide: (
      state: CheckoutState,
      now_ms: number,
    ) => { payment: PaymentState; step: PaymentStep } | { refused: PaymentRefusalCode; message: string },
  ): Promise<Outcome<S>> {
    const entered = this.enter(call);
    if ("code" in entered) return entered;
    type Reserved = Outcome<S> | { ok: true; seq: number; replayed?: undefined };
    const reserved: Reserved = this.transaction((): Reserved => {
      const previous = this.operations.find(operation_id);
      if (previous) return this.operations.replay<Outcome<S>>(previous, print, entered.now_ms);
      const state = this.store.state()!;
      if (!state.payment) return notFound();
      const decided = decide(state, entered.now_ms);
      if ("refused" in decided) {
        const refused = refusal(decided.refused, decided.message);
        return decided.refused === "payment_in_progress" ? refused : this.remember(operation_id, print, refused, entered.now_ms);
      }
      this.save({ ...state, payment: decided.payment }, [], call, entered.now_ms);
      const seq = this.store.addStep(decided.step, Date.now());
      this.operations.record(
        operation_id,
        print,
        { ok: false, code: "idempotency_key_in_use", message: "Still running." },
        entered.now_ms,
        UNTIL_ANSWERED,
      );
      return { ok: true as const, seq };
    });
    if (!("seq" in reserved)) return reserved;
    this.afterChange();
    return (await this.steps.answerOf(reserved.seq)) as Outcome<S>;
  }

  // ---- steps --------------------------------------------------------------------------------

  /** Records a step's result: the machine's finishing transition, its events, the step's and the request's answer. */
  private complete(row: StepRow, step: PaymentStep, result: StepResult): unknown {
    const state = this.store.state()!;
    const now_ms = this.now();
    const cause = step.cause;
    let answer: unknown;
    switch (step.kind) {
      case "authorize_wallet": {
        const outcome: AttemptOutcome =
          result.kind === "authorized"
            ? {
                approved: true,
                payment: openPayment({
                  id: step.payment_id,
                  method: "wallet",
                  amount: step.amount,
                  hold_id: step.hold_id,
                  card: null,
                  now_ms,
                }),
              }
            : { approved: false, decline_code: result.kind === "declined" ? result.decline_code : "declined", counts: false };
        const finished = finishAttempt(state, outcome);
        const saved = this.save(finished.state, finished.events, cause, now_ms);
        answer = {
          ok: true,
          ...payResult(saved, result.kind === "declined" ? { decline_code: result.decline_code, message: result.message } : null),
        };
        break;
      }
      case "capture_wallet":
      case "capture_card": {
        const ok = result.kind === "done";
        const finished = finishCapture(
          state.payment!,
          ok ? { amount: step.amount, commission: step.commission, commission_bps: step.commission_bps } : null,
          now_ms,
        );
        const saved = this.save({ ...state, payment: finished.payment }, finished.events, cause, now_ms);
        const refused = captureRefusal(result);
        answer = refused ? refusal(refused.code, refused.message) : { ok: true, payment: paymentView(saved) };
        break;
      }
      case "release": {
        const finished = finishVoid(state.payment!, step.reason);
        const saved = this.save({ ...state, payment: finished.payment }, finished.events, cause, now_ms);
        answer = { ok: true, payment: paymentView(saved) };
        break;
      }
      case "refund": {
        const refunded = result.kind === "refunded";
        const finished = finishRefund(
          state.payment!,
          refunded ? { amount: step.amount, commission_returned: result.commission_returned } : { amount: step.amount, failed: true },
        );
        this.store.settleRefund(
          step.refund_id,
          refunded
            ? { commission_returned: result.commission_returned }
            : { failure_message: result.kind === "refused" ? result.message : "failed" },
          now_ms,
        );
        const saved = this.save({ ...state, payment: finished.payment }, finished.events, cause, now_ms, step.refund_id);
        const refused = refundRefusal(result);
        answer = refused
          ? refusal(refused.code, refused.message, refused.param)
          : { ok: true, ...refundAnswer(saved, this.store.getRefund(step.refund_id)!, this.store.refunds()) };
        break;
      }
    }
    this.store.finishStep(row.seq, answer);
    if (step.operation_id) this.operations.finish(step.operation_id, answer);
    return answer;
  }

  // ---- internals ----------------------------------------------------------------------------

  /**
   * Checks the caller — the owning merchant, a buyer with the client secret, or both at once (a
   * browser with the merchant's publishable key and the client secret: the merchant first, so a
   * stranger's key learns nothing) — and fires what came due by the caller's clock first, so no
   * read ever shows a lapsed checkout as open.
   */
  private enter(call: PaymentCall, fired_by: PaymentStep["cause"] = NO_CAUSE): Entered | PaymentRefusal {
    const state = this.store.state();
    if (!state || (call.checkout_id !== undefined && call.checkout_id !== state.id)) return notFound();
    if (call.owner) {
      if (call.owner.merchant_id !== state.merchant_id || call.owner.mode !== state.mode) return notFound();
      this.clock.remember(call.clock_offset_ms);
    }
    if (
      (!call.owner || call.client_secret !== undefined) &&
      (call.client_secret === undefined || !timingSafeEqual(call.client_secret, state.client_secret))
    ) {
      return refusal("client_secret_invalid", "The client_secret does not match this checkout.");
    }
    const now_ms = call.owner ? call.now_ms : this.now();
    this.fireDue(now_ms, fired_by);
    return { state: this.store.state()!, now_ms };
  }

  /** Expires a lapsed checkout, and starts voiding an authorization past its 7 days. */
  private fireDue(now_ms: number, cause: PaymentStep["cause"] = NO_CAUSE): void {
    const state = this.store.state();
    if (!state) return;
    if (isOpen(state) && now_ms >= state.expires_at_ms && !state.attempt_in_progress) {
      const expired = expireCheckout(state, "deadline");
      if (!("refused" in expired)) {
        this.transaction(() => this.save(expired.state, expired.events, cause, now_ms));
        this.afterChange();
      }
    }
    const current = this.store.state()!;
    if (isDueForAutoVoid(current.payment, now_ms)) {
      const begun = beginVoid(current.payment!);
      if ("refused" in begun) return;
      this.transaction(() => {
        this.save({ ...current, payment: begun.payment }, [], cause, now_ms);
        this.store.addStep(releaseStep(current, "deadline", null, cause), Date.now());
      });
      this.afterChange();
      this.steps.kick();
    }
  }

  /** Saves a new state with its events, in the caller's transaction. */
  private save(
    state: CheckoutState,
    events: CheckoutEventType[],
    cause: { request_id?: string | null; idempotency_key?: string | null },
    now_ms: number,
    refund_id?: string,
  ): CheckoutState {
    const saved = { ...state, version: state.version + 1, updated_at_ms: now_ms };
    this.store.saveState(saved);
    for (const type of events) {
      const object = type.startsWith("payment.") ? paymentView(saved) : checkoutView(saved);
      const refund = refund_id ? this.store.getRefund(refund_id) : null;
      // The fact is this version of this checkout: saving a version is what changes it.
      this.eventOutbox.add(
        type,
        `${saved.id}:${saved.version}`,
        refund && type.startsWith("payment.") ? { object, refund: refundView(refund) } : { object },
        cause,
        now_ms,
      );
    }
    return saved;
  }

  private remember<T>(operation_id: string, print: string, answer: T, now_ms: number): T {
    this.operations.record(operation_id, print, answer, now_ms);
    return answer;
  }

  /** One storage transaction; the in-memory state copy is dropped if it rolls back. */
  private transaction<T>(work: () => T, after?: () => void): T {
    try {
      const result = this.ctx.storage.transactionSync(work);
      after?.();
      return result;
    } catch (error) {
      this.store.forgetState();
      throw error;
    }
  }

  /** After a committed change: the alarm for the next deadline, and the D1 index (off the response path). */
  private afterChange(clock_offset_ms?: number): void {
    this.clock.remember(clock_offset_ms);
    this.scheduleAlarm();
    this.ctx.waitUntil(this.writeIndex().catch((error) => console.error(JSON.stringify({ payment_index_failed: String(error) }))));
    this.courier.afterCommit();
  }

  private ownerOf() {
    const state = this.store.state();
    return state ? owner(state) : null;
  }

  private async writeIndex(): Promise<void> {
    const state = this.store.state();
    if (!state || Number(this.store.getMeta("index_version") ?? 0) >= state.version) return;
    await upsertPaymentIndex(database(this.env.DB), indexRows(state));
    if (Number(this.store.getMeta("index_version") ?? 0) < state.version) this.store.setMeta("index_version", String(state.version));
  }

  override async alarm(): Promise<void> {
    const state = this.store.state();
    if (!state) return;
    this.courier.alarmFired();
    await this.clock.refresh(this.env, owner(state));
    this.fireDue(this.now());
    await this.steps.drain();
    await this.writeIndex().catch((error) => console.error(JSON.stringify({ payment_index_failed: String(error) })));
    await this.courier.forward();
    this.scheduleAlarm();
  }

  /**
   * One alarm for the earliest of: the checkout's expiry, the authorization's lapse, a step's
   * retry, an index write or event forward still owed.
   */
  private scheduleAlarm(): void {
    const state = this.store.state();
    if (!state) return;
    const now_ms = Date.now();
    const step = this.store.nextPendingStep();
    const authorized = state.payment?.status === "authorized" && !state.payment.pending;
    planAlarm(this.ctx.storage, {
      checkout_expiry: isOpen(state) ? this.clock.toRealMs(state.expires_at_ms) : null,
      authorization_lapse: authorized ? this.clock.toRealMs(state.payment!.capture_before_ms) : null,
      step_retry: step ? Math.max(step.next_attempt_at_ms, now_ms + INDEX_RETRY_MS) : null,
      index_write: Number(this.store.getMeta("index_version") ?? 0) < state.version ? now_ms + INDEX_RETRY_MS : null,
      events: this.courier.backstopAt(now_ms),
    });
  }

  private now(): number {
    return this.clock.now();
  }

  private objectKey(state: CheckoutState): string {
    return state.id.slice(-16);
  }

  private ids(state: CheckoutState) {
    return checkoutIds(this.objectKey(state), state.mode);
  }
}

/** A deadline that fired on its own (the alarm, or a read that found it due) names no request. */
const NO_CAUSE: PaymentStep["cause"] = { request_id: null, idempotency_key: null };

function owner(state: CheckoutState) {
  return { merchant_id: state.merchant_id, mode: state.mode };
}

function releaseStep(
  state: CheckoutState,
  reason: "void" | "deadline",
  operation_id: string | null,
  cause: PaymentStep["cause"],
): PaymentStep {
  const p = state.payment!;
  const wallet_id = p.method === "wallet" ? state.buyer!.wallet_id : null;
  return { kind: "release", reason, wallet_id, hold_id: p.hold_id, payment_id: p.id, owner: owner(state), operation_id, cause };
}

function causeOf(call: PaymentCall): PaymentStep["cause"] {
  return { request_id: call.request_id ?? null, idempotency_key: call.idempotency_key ?? null };
}

function payResult(state: CheckoutState, declined: { decline_code: string; message: string } | null): PayResult {
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

/** The checkout's and payment's rows in the D1 index at this version. */
function indexRows(state: CheckoutState) {
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
      version: state.version,
      created_at_ms: p.authorized_at_ms,
      updated_at_ms: state.updated_at_ms,
    },
  };
}

function notFound(): PaymentRefusal {
  return refusal("not_found", "No such checkout or payment.");
}
