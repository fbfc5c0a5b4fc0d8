import { createHash } from "node:crypto";
import { canonicalOperation, type FingerprintValue } from "../domain/fingerprint";
import type { Refusal } from "../domain/outcome";

/**
 * The operations an object has performed, each bound to what it did (its fingerprint) and to its
 * answer. Wallets and payments keep one each, in the same transaction as the change: a repeat of an
 * operation id gets the first answer, the same id with another request is refused, and an id whose
 * request is still awaiting another object is 'running' until its answer is recorded.
 * The table is `operations (operation_id, fingerprint, state, result, locked_until_ms, created_at_ms)`.
 */
/** The operations table, for objects created after wallets and payments (which wrote theirs inline). Never edit: migrate. */
export const OPERATIONS_SCHEMA = `CREATE TABLE operations (
    operation_id TEXT PRIMARY KEY,
    fingerprint TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'done')),
    result TEXT NOT NULL,
    locked_until_ms INTEGER,
    created_at_ms INTEGER NOT NULL
  );`;

export interface OperationRow {
  operation_id: string;
  fingerprint: string | null;
  state: "running" | "done";
  result: string;
  locked_until_ms: number | null;
  [key: string]: SqlStorageValue;
}

/** How an operation log refuses a repeat: the id was used for another request, or its first run is still going. */
export type OperationRefusal = Refusal<"idempotency_key_reused" | "idempotency_key_in_use">;
export type Replayable<S> = S & { replayed?: boolean };

/** What an operation's first run decided, and how it is kept for its repeats. */
export interface FirstRun<A> {
  answer: A;
  /** What a repeat is told, when not the answer itself (a request still running records a placeholder). */
  stored?: unknown;
  /** False for a refusal a retry may get past (the object was busy): nothing is kept, the id stays free. */
  keep?: boolean;
  /** The operation stays 'running' until then, or until finish() records its answer. */
  running_until_ms?: number | null;
}

export function fingerprint(kind: string, fields: Record<string, FingerprintValue>): string {
  return createHash("sha256").update(canonicalOperation(kind, fields)).digest("hex");
}

export class OperationLog {
  constructor(private readonly sql: SqlStorage) {}

  /**
   * An operation, once, inside the caller's transaction: the first answer of an id seen before (or
   * its refusal: another request, or one still running), else `run`'s, recorded as it says.
   * `R` is what a repeat is told: the answer's type unless the run stores something else.
   */
  once<A, R = A>(operation_id: string, print: string, now_ms: number, run: () => FirstRun<A>): A | Replayable<R> | OperationRefusal {
    const previous = this.find(operation_id);
    if (previous) return this.replay<R>(previous, print, now_ms);
    const first = run();
    if (first.keep !== false) {
      const stored = "stored" in first ? first.stored : first.answer;
      this.record(operation_id, print, stored, now_ms, first.running_until_ms ?? null);
    }
    return first.answer;
  }

  find(operation_id: string): OperationRow | null {
    return this.sql.exec<OperationRow>("SELECT * FROM operations WHERE operation_id = ?", operation_id).toArray()[0] ?? null;
  }

  record(operation_id: string, print: string, result: unknown, now_ms: number, locked_until_ms: number | null = null): void {
    this.sql.exec(
      "INSERT INTO operations (operation_id, fingerprint, state, result, locked_until_ms, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
      operation_id,
      print,
      locked_until_ms === null ? "done" : "running",
      JSON.stringify(result),
      locked_until_ms,
      now_ms,
    );
  }

  /** Records the final answer of a 'running' operation. */
  finish(operation_id: string, result: unknown): void {
    this.sql.exec(
      "UPDATE operations SET state = 'done', result = ?, locked_until_ms = NULL WHERE operation_id = ?",
      JSON.stringify(result),
      operation_id,
    );
  }

  /**
   * The answer to an operation id seen before: its first result (`replayed`), or a refusal if this
   * is another request, or if the first is still running. A 'running' record past its lock belongs
   * to a request that died before answering: its committed result stands as the answer.
   */
  replay<S>(previous: OperationRow, print: string, now_ms: number): Replayable<S> | OperationRefusal {
    if (previous.fingerprint !== print) {
      return {
        ok: false,
        code: "idempotency_key_reused",
        message: "This Idempotency-Key (operation id) was already used for a different request; use a new key.",
      };
    }
    if (previous.state === "running" && (previous.locked_until_ms ?? 0) > now_ms) {
      return { ok: false, code: "idempotency_key_in_use", message: "A request with this Idempotency-Key is still running; retry shortly." };
    }
    return { ...(JSON.parse(previous.result) as S), replayed: true };
  }
}
