import type { MetaStore } from "./object-clock";
import type { StepQueue, StepRecord } from "./step-runner";

/**
 * The tables every object whose state is one document shares (a checkout and its payment, a
 * payout): small facts about the object, the document, and the steps it records before calling
 * other objects. Part of applied migrations: never edit it, migrate.
 */
export const DOCUMENT_STORE_SCHEMA = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, document TEXT NOT NULL);
  CREATE TABLE steps (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
    answer TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
  );
  CREATE INDEX steps_pending ON steps (status, seq);`;

/** A recorded step: its kind and payload (the step as JSON). */
export interface StepRow<Kind extends string = string> extends StepRecord {
  kind: Kind;
  payload: string;
  [key: string]: SqlStorageValue;
}

/**
 * Synchronous reads and writes of an object's document, meta and steps. Callers group writes in
 * one storage transaction per change; the document is kept in memory once read and written through.
 */
export class DocumentStore<S extends { version: number }, Step extends { kind: string }>
  implements MetaStore, StepQueue<StepRow<Step["kind"]>>
{
  private cached: S | null | undefined;

  constructor(protected readonly sql: SqlStorage) {}

  /** The document, or null before the object was created. */
  state(): S | null {
    if (this.cached === undefined) {
      const row = this.sql.exec<{ document: string }>("SELECT document FROM state WHERE id = 1").toArray()[0];
      this.cached = row ? (JSON.parse(row.document) as S) : null;
    }
    return this.cached;
  }

  /** Call inside the change's transaction; a rollback must be followed by forgetState. */
  saveState(state: S): void {
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

  /** Steps run in real time (they are our own retries, not the owner's deadlines). */
  addStep(step: Step, real_now_ms: number): number {
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

  nextPendingStep(): StepRow<Step["kind"]> | null {
    return this.sql.exec<StepRow<Step["kind"]>>("SELECT * FROM steps WHERE status = 'pending' ORDER BY seq LIMIT 1").toArray()[0] ?? null;
  }

  getStep(seq: number): StepRow<Step["kind"]> | null {
    return this.sql.exec<StepRow<Step["kind"]>>("SELECT * FROM steps WHERE seq = ?", seq).toArray()[0] ?? null;
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
}
