import { backoffDelayMs } from "../domain/backoff";
import { chunks } from "../domain/chunks";
import type { ObjectClock } from "./object-clock";

/** Credits delivered per call to one target (a merchant's settlement wallet is hot: batch its credits). */
const MOVES_PER_DELIVERY = 100;
/** How many due rows one delivery run takes on. */
const MOVES_PER_RUN = MOVES_PER_DELIVERY * 10;

/** An outbox row: money this object owes another object, keyed by the operation id the target applies it under. */
export interface PendingMove {
  operation_id: string;
  target_wallet_id: string;
}

/** Where an object keeps the moves it owes (in the same storage as the debits that made them). */
export interface MoveQueue<M extends PendingMove> {
  due(now_ms: number, limit: number): M[];
  /** Marks rows sent; returns those this call turned from pending (see the courier). */
  markSent(operation_ids: string[], now_ms: number): string[];
  markAttemptFailed(operation_ids: string[], delay_ms: (attempts: number) => number, now_ms: number): void;
  nextAttempt(): number | null;
}

interface MoveHooks<M> {
  /** Applies a batch on its target (which applies each once per operation id); throws to retry. */
  deliver(target_wallet_id: string, moves: M[]): Promise<void>;
  /** Inside the transaction that marks them sent: what follows from these moves having landed. */
  landed(operation_ids: string[]): void;
  /** After that transaction committed. */
  afterLanded(): void;
  /** Re-plans the object's alarm, the backstop for a delivery that is lost. */
  replanAlarm(): void;
}

/**
 * Delivers what an object owes other objects: the second half of a move between two objects,
 * which share no transaction. The debit and the outbox row were written together; the courier
 * delivers right after the commit (without holding up the caller), the alarm retries with backoff,
 * and only a delivery that turns a row from pending to sent records what follows (a transfer's
 * completion), so overlapping deliveries of the same rows record it once.
 */
export class MoveCourier<M extends PendingMove> {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly queue: MoveQueue<M>,
    private readonly clock: ObjectClock,
    private readonly hooks: MoveHooks<M>,
  ) {}

  /** After a commit that may have written outbox rows. */
  afterWrite(): void {
    if (this.queue.nextAttempt() === null) return;
    this.hooks.replanAlarm();
    this.ctx.waitUntil(this.deliver().catch((error) => console.error(JSON.stringify({ outbox_delivery_failed: String(error) }))));
  }

  /** Delivers the due rows now (only those for `only_target` when given: a user's transfer never waits on a busy settlement wallet). */
  async deliver(only_target?: string): Promise<void> {
    const due = this.queue.due(this.clock.now(), MOVES_PER_RUN).filter((row) => !only_target || row.target_wallet_id === only_target);
    for (const [target, rows] of Map.groupBy(due, (row) => row.target_wallet_id)) {
      for (const batch of chunks(rows, MOVES_PER_DELIVERY)) await this.deliverBatch(target, batch);
    }
  }

  private async deliverBatch(target: string, batch: M[]): Promise<void> {
    const ids = batch.map((row) => row.operation_id);
    try {
      await this.hooks.deliver(target, batch);
      this.ctx.storage.transactionSync(() => this.hooks.landed(this.queue.markSent(ids, this.clock.now())));
      this.hooks.afterLanded();
    } catch (error) {
      console.error(JSON.stringify({ target, outbox_attempt_failed: String(error) }));
      this.queue.markAttemptFailed(ids, (attempts) => backoffDelayMs(attempts), this.clock.now());
    }
  }
}
