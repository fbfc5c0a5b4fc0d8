import type { CheckoutState } from "../domain/checkout-machine";
import type { PaymentStep } from "./types";

/**
 * Synchronous reads and writes of one payment object's storage; the only code that knows its
 * tables. Callers group writes in one storage transaction per change.
 */
export interface StepRow {
  seq: number;
  kind: PaymentStep["kind"];
  payload: string;
  status: "pending" | "done";
  answer: string | null;
  attempts: number;
  next_attempt_at_ms: number;
  [key: string]: SqlStorageValue;
}

export interface RefundRow {
  id: string;
  amount: number;
  reason: string;
  metadata: string;
  status: "pending" | "completed" | "failed";
  commission_returned: number | null;
  failure_message: string | null;
  created_at_ms: number;
  completed_at_ms: number | null;
  [key: string]: SqlStorageValue;
}

export class PaymentStore {
  private cached: CheckoutState | null | undefined;

  constructor(private readonly sql: SqlStorage) {}

  // ---- the state document -------------------------------------------------------------------

  /** The checkout, or null before it is created. Kept in memory once read; written through. */
  state(): CheckoutState | null {
    if (this.cached === undefined) {
      const row = this.sql.exec<{ document: string }>("SELECT document FROM state WHERE id = 1").toArray()[0];
      this.cached = row ? (JSON.parse(row.document) as CheckoutState) : null;
    }
    return this.cached;
  }

  /** Call inside the change's transaction; a rollback must be followed by forgetState. */
  saveState(state: CheckoutState): void {
    this.sql.exec(
      "INSERT INTO state (id, version, document) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, document = " +
        "excluded.document",
      state.version,
      JSON.stringify(state),
    );
    this.cached = state;
  }

  forgetState(): void {
    this.cached = undefined;
  }

  getMeta(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }

  // ---- steps --------------------------------------------------------------------------------

  /** Steps run in real time (they are our own retries, not the merchant's deadlines). */
  addStep(step: PaymentStep, real_now_ms: number): number {
    return this.sql
      .exec<{ seq: number }>(
        "INSERT INTO steps (kind, payload, status, next_attempt_at_ms, created_at_ms) VALUES (?, ?, 'pending', ?, ?) RETURNING seq",
        step.kind,
        JSON.stringify(step),
        real_now_ms,
        real_now_ms,
      )
      .one().seq;
  }

  nextPendingStep(): StepRow | null {
    return this.sql.exec<StepRow>("SELECT * FROM steps WHERE status = 'pending' ORDER BY seq LIMIT 1").toArray()[0] ?? null;
  }

  getStep(seq: number): StepRow | null {
    return this.sql.exec<StepRow>("SELECT * FROM steps WHERE seq = ?", seq).toArray()[0] ?? null;
  }

  finishStep(seq: number, answer: unknown): void {
    this.sql.exec("UPDATE steps SET status = 'done', answer = ? WHERE seq = ?", JSON.stringify(answer), seq);
  }

  postponeStep(seq: number, next_attempt_at_ms: number): number {
    return this.sql
      .exec<{ attempts: number }>(
        "UPDATE steps SET attempts = attempts + 1, next_attempt_at_ms = ? WHERE seq = ? RETURNING attempts",
        next_attempt_at_ms,
        seq,
      )
      .one().attempts;
  }

  // ---- refunds ------------------------------------------------------------------------------

  addRefund(row: Omit<RefundRow, "commission_returned" | "failure_message" | "completed_at_ms" | "status">): void {
    this.sql.exec(
      "INSERT INTO refunds (id, amount, reason, metadata, status, created_at_ms) VALUES (?, ?, ?, ?, 'pending', ?)",
      row.id,
      row.amount,
      row.reason,
      row.metadata,
      row.created_at_ms,
    );
  }

  settleRefund(id: string, outcome: { commission_returned: number } | { failure_message: string }, now_ms: number): void {
    if ("failure_message" in outcome) {
      this.sql.exec(
        "UPDATE refunds SET status = 'failed', failure_message = ?, completed_at_ms = ? WHERE id = ?",
        outcome.failure_message,
        now_ms,
        id,
      );
    } else {
      this.sql.exec(
        "UPDATE refunds SET status = 'completed', commission_returned = ?, completed_at_ms = ? WHERE id = ?",
        outcome.commission_returned,
        now_ms,
        id,
      );
    }
  }

  getRefund(id: string): RefundRow | null {
    return this.sql.exec<RefundRow>("SELECT * FROM refunds WHERE id = ?", id).toArray()[0] ?? null;
  }

  refunds(): RefundRow[] {
    return this.sql.exec<RefundRow>("SELECT * FROM refunds ORDER BY created_at_ms, rowid").toArray();
  }
}
