import { EVENT_OUTBOX_SCHEMA } from "../objects/event-outbox";
/**
 * The payment object's SQLite schema, as an append-only list applied in its constructor (like the
 * wallet's). One object holds one checkout (session or intent) and the payment it authorized.
 */
export const PAYMENT_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  -- The checkout and its payment as one document (domain/checkout-machine.ts): every change
  -- replaces it in the transaction that records the change's events.
  CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, document TEXT NOT NULL);
  CREATE TABLE operations (
    operation_id TEXT PRIMARY KEY,
    fingerprint TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'done')),
    result TEXT NOT NULL,
    locked_until_ms INTEGER,
    created_at_ms INTEGER NOT NULL
  );
  -- Calls to wallets, recorded before they are made and run one at a time in order; the alarm
  -- re-drives any a crash interrupted (their operation ids make repeats harmless).
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
  CREATE INDEX steps_pending ON steps (status, seq);
  CREATE TABLE refunds (
    id TEXT PRIMARY KEY,
    amount INTEGER NOT NULL CHECK (amount > 0),
    reason TEXT NOT NULL,
    metadata TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
    commission_returned INTEGER,
    failure_message TEXT,
    created_at_ms INTEGER NOT NULL,
    completed_at_ms INTEGER
  );
  -- Events, written in the same transaction as the change they describe (docs/architecture.md, "One fact, one event").
  ${EVENT_OUTBOX_SCHEMA}
  `,
];
