import type { AnyEventType, EventMessage } from "../domain/events";
import { eventIdOf } from "../domain/ids";
import type { WebhookMessage } from "../domain/events";

/**
 * An object's events: written to its `events` table in the same transaction as the change they
 * describe, then forwarded to the events queue — right after the commit, and again from the
 * object's alarm until the queue has taken them, so a crash after the commit loses nothing. There
 * is never a change without its event. Forwarding is coalesced: one send in flight per object,
 * carrying everything recorded meanwhile.
 *
 * One fact, one event: an event's id is derived from the fact it records (its `effect`, e.g. a
 * transfer's completion or a payment's version), never drawn at random. Recording the same fact
 * again is a no-op here, and anything that still sent it twice is one event in the index and one
 * `webhook-id` at the merchant's receiver.
 *
 * The table is EVENT_OUTBOX_SCHEMA, created by each object's migrations.
 */
/** The outbox table, the same in every object that records events. Part of applied migrations: never edit it, migrate. */
export const EVENT_OUTBOX_SCHEMA = `CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    request_id TEXT,
    idempotency_key TEXT,
    created_at_ms INTEGER NOT NULL,
    forwarded_at_ms INTEGER
  );
  CREATE INDEX events_unforwarded ON events (forwarded_at_ms, seq);`;

export interface EventRow {
  seq: number;
  id: string;
  type: AnyEventType;
  payload: string;
  request_id: string | null;
  idempotency_key: string | null;
  created_at_ms: number;
  forwarded_at_ms: number | null;
  [key: string]: SqlStorageValue;
}

export interface EventCause {
  request_id?: string | null;
  idempotency_key?: string | null;
}

const BATCH = 100;

export class EventOutbox {
  private sending: Promise<void> | null = null;
  private again = false;

  constructor(private readonly sql: SqlStorage) {}

  /**
   * Call inside the change's transaction. `effect` names the fact, unique across every object
   * (it starts with the id of what changed); returns the event's id.
   */
  add(type: AnyEventType, effect: string, data: unknown, cause: EventCause, now_ms: number): string {
    const id = eventIdOf(`${type}\n${effect}`);
    this.sql.exec(
      "INSERT INTO events (id, type, payload, request_id, idempotency_key, created_at_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO " +
        "NOTHING",
      id,
      type,
      JSON.stringify(data),
      cause.request_id ?? null,
      cause.idempotency_key ?? null,
      now_ms,
    );
    return id;
  }

  all(): EventRow[] {
    return this.sql.exec<EventRow>("SELECT * FROM events ORDER BY seq").toArray();
  }

  hasUnforwarded(): boolean {
    return this.sql.exec("SELECT 1 FROM events WHERE forwarded_at_ms IS NULL LIMIT 1").toArray().length > 0;
  }

  /**
   * Sends what is not yet forwarded to the queue, `owner` naming whose events they are. Returns when
   * everything recorded before the call has been taken (or a send failed: the alarm tries again).
   */
  forward(queue: Queue, owner: { merchant_id: string; mode: "sandbox" | "live" }): Promise<void> {
    if (this.sending) {
      this.again = true;
      return this.sending;
    }
    // Cleared in a `finally` callback, which runs after this assignment even when nothing was pending.
    const sending = this.sendAll(queue, owner).finally(() => {
      if (this.sending === sending) this.sending = null;
    });
    this.sending = sending;
    return sending;
  }

  private async sendAll(queue: Queue, owner: { merchant_id: string; mode: "sandbox" | "live" }): Promise<void> {
    do {
      this.again = false;
      for (let rows = this.unforwarded(); rows.length > 0; rows = this.unforwarded()) {
        await queue.sendBatch(rows.map((row) => ({ body: { kind: "event", event: message(row, owner) } satisfies WebhookMessage })));
        this.markForwardedThrough(rows.at(-1)!.seq, Date.now());
      }
    } while (this.again);
  }

  private unforwarded(): EventRow[] {
    return this.sql.exec<EventRow>("SELECT * FROM events WHERE forwarded_at_ms IS NULL ORDER BY seq LIMIT ?", BATCH).toArray();
  }

  /**
   * The batch was the oldest unforwarded events up to `last_seq`; anything recorded since has a
   * higher seq. Marking by range binds two parameters however large the batch (an IN list of 100
   * seqs plus the time was 101, which SQLite refuses: the outbox jammed for good).
   */
  private markForwardedThrough(last_seq: number, now_ms: number): void {
    this.sql.exec("UPDATE events SET forwarded_at_ms = ? WHERE forwarded_at_ms IS NULL AND seq <= ?", now_ms, last_seq);
  }
}

function message(row: EventRow, owner: { merchant_id: string; mode: "sandbox" | "live" }): EventMessage {
  return {
    id: row.id,
    merchant_id: owner.merchant_id,
    mode: owner.mode,
    type: row.type,
    data: row.payload,
    request_id: row.request_id,
    idempotency_key: row.idempotency_key,
    created_at_ms: row.created_at_ms,
  };
}
