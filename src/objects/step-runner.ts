import { backoffDelayMs } from "../domain/backoff";

/** A step recorded in an object's storage before it runs: what the runner needs to know of it. */
export interface StepRecord {
  seq: number;
  kind: string;
  status: "pending" | "done";
  answer: string | null;
  attempts: number;
  next_attempt_at_ms: number;
}

/** Where an object keeps its steps (in the same storage as its state). */
export interface StepQueue<R extends StepRecord> {
  nextPendingStep(): R | null;
  getStep(seq: number): R | null;
  postponeStep(seq: number, next_attempt_at_ms: number): number;
}

interface RunnerHooks<R> {
  /**
   * Runs one step on the objects it concerns and records its result (with the owner's transition,
   * events and answer) in one transaction; returns the answer. Throws when the step must be tried
   * again (the call failed, or recording did): the callee's operation ids make a repeat harmless.
   */
  run(row: R): Promise<unknown>;
  /** After a step's result was recorded. */
  afterStep(): void;
  /** After a step was put off: the alarm must come back for it. */
  afterPostpone(): void;
}

/**
 * Runs an object's recorded steps one at a time, in the order they were recorded, so no step runs
 * twice at once and each sees the ones before it completed (fifty racing refunds included). A
 * request that recorded a step awaits its answer here; the alarm re-drives what a crash left.
 */
export class StepRunner<R extends StepRecord> {
  private draining: Promise<void> | null = null;
  private readonly waiters = new Map<number, { resolve: (answer: unknown) => void; reject: (error: unknown) => void }[]>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly queue: StepQueue<R>,
    private readonly hooks: RunnerHooks<R>,
  ) {}

  /** The answer of step `seq`, once it has run. */
  answerOf(seq: number): Promise<unknown> {
    const row = this.queue.getStep(seq);
    if (row?.status === "done") return Promise.resolve(JSON.parse(row.answer!));
    return new Promise((resolve, reject) => {
      this.waiters.set(seq, [...(this.waiters.get(seq) ?? []), { resolve, reject }]);
      this.kick();
    });
  }

  /** Starts the runner unless it runs already; the alarm is its backstop. */
  kick(): void {
    this.ctx.waitUntil(this.drain());
  }

  /** Runs every step that is due; a step added while the runner was finishing gets a new run. */
  drain(): Promise<void> {
    this.draining ??= this.runDue().finally(() => {
      this.draining = null;
      const next = this.queue.nextPendingStep();
      if (next && next.next_attempt_at_ms <= Date.now()) this.kick();
    });
    return this.draining;
  }

  private async runDue(): Promise<void> {
    for (let row = this.queue.nextPendingStep(); row && row.next_attempt_at_ms <= Date.now(); row = this.queue.nextPendingStep()) {
      let answer: unknown;
      try {
        answer = await this.hooks.run(row);
      } catch (error) {
        this.postpone(row, error);
        return;
      }
      this.hooks.afterStep();
      this.settle(row.seq, (waiter) => waiter.resolve(answer));
    }
  }

  private postpone(row: R, error: unknown): void {
    console.error(JSON.stringify({ step_failed: row.kind, seq: row.seq, error: String(error) }));
    this.queue.postponeStep(row.seq, Date.now() + backoffDelayMs(row.attempts + 1));
    this.settle(row.seq, (waiter) => waiter.reject(error));
    this.hooks.afterPostpone();
  }

  private settle(seq: number, each: (waiter: { resolve: (answer: unknown) => void; reject: (error: unknown) => void }) => void): void {
    for (const waiter of this.waiters.get(seq) ?? []) each(waiter);
    this.waiters.delete(seq);
  }
}
