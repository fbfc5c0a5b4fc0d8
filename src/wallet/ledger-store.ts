import { createHash } from "node:crypto";
import { toIsoSeconds } from "../domain/clock";
import type { Currency } from "../domain/currencies";
import { canonicalEntry, GENESIS_HASH, isAllowedMove, type EntryType } from "../domain/ledger";
import { newId } from "../domain/ids";
import type { BalanceView, ChainEntryView, EntryFilters, EntryView, HoldView, IncomingCredit } from "./types";

/**
 * Synchronous reads and writes of one wallet's SQLite storage: the only code that knows the
 * object's table names. Callers wrap each mutation in one storage transaction; nothing here awaits,
 * so no other request can interleave between reading a balance and writing it.
 */
export class InvariantViolation extends Error {
  override name = "InvariantViolation";
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

interface BalanceRow {
  currency: string;
  available: number;
  held: number;
  external_in: number;
  external_out: number;
  [key: string]: SqlStorageValue;
}

export interface EntryRow {
  seq: number;
  id: string;
  type: EntryType;
  currency: string;
  amount: number;
  balance_after: number;
  held_after: number;
  description: string | null;
  reference: string | null;
  operation_id: string;
  created_at_ms: number;
  prev_hash: string;
  hash: string;
  [key: string]: SqlStorageValue;
}

interface HoldRow {
  id: string;
  currency: string;
  amount: number;
  captured_amount: number;
  status: HoldView["status"];
  reference: string | null;
  description: string | null;
  expires_at_ms: number | null;
  created_at_ms: number;
  resolved_at_ms: number | null;
  [key: string]: SqlStorageValue;
}

export interface OutboxRow {
  operation_id: string;
  target_wallet_id: string;
  kind: IncomingCredit["kind"];
  entry_type: IncomingCredit["entry_type"];
  currency: string;
  amount: number;
  description: string | null;
  reference: string | null;
  merchant_id: string | null;
  status: "pending" | "sent";
  attempts: number;
  next_attempt_at_ms: number;
  [key: string]: SqlStorageValue;
}

export interface EntryInput {
  operation_id: string;
  type: EntryType;
  currency: Currency;
  amount: number;
  /** Which balance a debit spends: available funds, or held funds being captured. */
  debit_from?: "available" | "held";
  description: string | null;
  reference: string | null;
}

export class LedgerStore {
  constructor(private readonly sql: SqlStorage) {}

  // ---- meta ---------------------------------------------------------------------------------

  getMeta(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }

  // ---- operations (idempotency of mutations) ------------------------------------------------

  findOperation<T>(operation_id: string): T | null {
    const row = this.sql.exec<{ result: string }>("SELECT result FROM operations WHERE operation_id = ?", operation_id).toArray()[0];
    return row ? (JSON.parse(row.result) as T) : null;
  }

  recordOperation(operation_id: string, result: unknown, now_ms: number): void {
    this.sql.exec("INSERT INTO operations (operation_id, result, created_at_ms) VALUES (?, ?, ?)", operation_id, JSON.stringify(result), now_ms);
  }

  // ---- balances -----------------------------------------------------------------------------

  balance(currency: Currency): { available: number; held: number } {
    const row = this.sql.exec<BalanceRow>("SELECT * FROM balances WHERE currency = ?", currency).toArray()[0];
    return { available: row?.available ?? 0, held: row?.held ?? 0 };
  }

  balances(currencies: readonly Currency[]): BalanceView[] {
    return currencies.map((currency) => {
      const { available, held } = this.balance(currency);
      return { currency, available, held, total: available + held };
    });
  }

  /** Counts money entering or leaving the system through this wallet (top-ups, card captures, payouts). */
  addExternal(currency: Currency, direction: "in" | "out", amount: number): void {
    const column = direction === "in" ? "external_in" : "external_out";
    this.sql.exec(
      `INSERT INTO balances (currency, ${column}) VALUES (?, ?) ON CONFLICT (currency) DO UPDATE SET ${column} = ${column} + excluded.${column}`,
      currency,
      amount,
    );
  }

  externals(currency: Currency): { external_in: number; external_out: number } {
    const row = this.sql.exec<BalanceRow>("SELECT * FROM balances WHERE currency = ?", currency).toArray()[0];
    return { external_in: row?.external_in ?? 0, external_out: row?.external_out ?? 0 };
  }

  // ---- entries ------------------------------------------------------------------------------

  /**
   * Moves the balance as the entry's type says and appends the entry to the hash chain.
   * Asserts the invariants before the transaction can commit.
   */
  writeEntry(wallet_id: string, input: EntryInput, now_ms: number): EntryRow {
    assert(Number.isSafeInteger(input.amount) && input.amount > 0, `entry amount must be a positive safe integer, got ${input.amount}`);
    const before = this.balance(input.currency);
    const after = { ...before };
    switch (input.type) {
      case "credit":
      case "refund":
        after.available += input.amount;
        break;
      case "hold":
        after.available -= input.amount;
        after.held += input.amount;
        break;
      case "release":
        after.available += input.amount;
        after.held -= input.amount;
        break;
      case "debit":
        if (input.debit_from === "held") after.held -= input.amount;
        else after.available -= input.amount;
        break;
    }
    assert(after.available >= 0 && after.held >= 0, `${input.type} of ${input.amount} would make ${input.currency} negative`);
    assert(isAllowedMove(input.type, input.amount, before, after), `${input.type} moved the balance in a way its type does not allow`);
    assert(Number.isSafeInteger(after.available + after.held), "balance total left the safe integer range");
    this.sql.exec(
      `INSERT INTO balances (currency, available, held) VALUES (?, ?, ?)
       ON CONFLICT (currency) DO UPDATE SET available = excluded.available, held = excluded.held`,
      input.currency,
      after.available,
      after.held,
    );

    const last = this.sql.exec<{ seq: number; hash: string; created_at_ms: number }>("SELECT seq, hash, created_at_ms FROM entries ORDER BY seq DESC LIMIT 1").toArray()[0];
    // Entries never go back in time, so seq order and time order agree (the list pages by time).
    const created_at_ms = Math.max(now_ms, last?.created_at_ms ?? 0);
    const row = {
      seq: (last?.seq ?? 0) + 1,
      id: newId("transaction"),
      type: input.type,
      currency: input.currency,
      amount: input.amount,
      balance_after: after.available,
      held_after: after.held,
      description: input.description,
      reference: input.reference,
      operation_id: input.operation_id,
      created_at_ms,
      prev_hash: last?.hash ?? GENESIS_HASH,
      hash: "",
    };
    row.hash = sha256Hex(canonicalEntry(row.prev_hash, { ...row, wallet_id, created_at: toIsoSeconds(created_at_ms) }));
    this.sql.exec(
      `INSERT INTO entries (seq, id, type, currency, amount, balance_after, held_after, description, reference, operation_id, created_at_ms, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.seq, row.id, row.type, row.currency, row.amount, row.balance_after, row.held_after,
      row.description, row.reference, row.operation_id, row.created_at_ms, row.prev_hash, row.hash,
    );
    return row as EntryRow;
  }

  /**
   * Checked at the end of every mutation, inside its transaction: `held` is exactly the sum of active
   * holds (capture and release rely on it). Non-negative balances are checked per entry and by CHECKs.
   */
  assertHeldMatchesHolds(currency: Currency): void {
    const active = this.sql
      .exec<{ total: number }>("SELECT coalesce(sum(amount), 0) AS total FROM holds WHERE status = 'active' AND currency = ?", currency)
      .one().total;
    assert(active === this.balance(currency).held, `held ${this.balance(currency).held} != active holds ${active} in ${currency}`);
  }

  lastSeq(): number {
    return this.sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM entries").one().seq ?? 0;
  }

  /** One page of entries, newest first. Every filter combination is a range search on an index. */
  listEntries(filters: EntryFilters, limit: number, offset: number): { entries: EntryRow[]; total: number } {
    const [page, count] = entryQueries(filters, limit, offset);
    const entries = this.sql.exec<EntryRow>(page.query, ...page.params).toArray();
    const total = this.sql.exec<{ n: number }>(count.query, ...count.params).one().n;
    return { entries, total };
  }

  /** The query plans of exactly the statements listEntries runs, for the index test. */
  explainListEntries(filters: EntryFilters): string[] {
    return entryQueries(filters, 20, 0).flatMap(({ query, params }) =>
      this.sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...params).toArray().map((r) => r.detail),
    );
  }

  chain(after_seq: number, limit: number): EntryRow[] {
    return this.sql.exec<EntryRow>("SELECT * FROM entries WHERE seq > ? ORDER BY seq LIMIT ?", after_seq, limit).toArray();
  }

  // ---- holds --------------------------------------------------------------------------------

  insertHold(hold: { id: string; currency: Currency; amount: number; reference: string | null; description: string | null; expires_at_ms: number | null; created_at_ms: number }): void {
    this.sql.exec(
      "INSERT INTO holds (id, currency, amount, status, reference, description, expires_at_ms, created_at_ms) VALUES (?, ?, ?, 'active', ?, ?, ?, ?)",
      hold.id, hold.currency, hold.amount, hold.reference, hold.description, hold.expires_at_ms, hold.created_at_ms,
    );
  }

  getHold(id: string): HoldRow | null {
    return this.sql.exec<HoldRow>("SELECT * FROM holds WHERE id = ?", id).toArray()[0] ?? null;
  }

  resolveHold(id: string, status: Exclude<HoldView["status"], "active">, captured_amount: number, now_ms: number): void {
    // RETURNING counts rows; rowsWritten would also count the index entries touched.
    const changed = this.sql.exec(
      "UPDATE holds SET status = ?, captured_amount = ?, resolved_at_ms = ? WHERE id = ? AND status = 'active' RETURNING id",
      status, captured_amount, now_ms, id,
    ).toArray().length;
    assert(changed === 1, `hold ${id} was not active`);
  }

  dueHolds(now_ms: number): HoldRow[] {
    return this.sql.exec<HoldRow>("SELECT * FROM holds WHERE status = 'active' AND expires_at_ms <= ? ORDER BY expires_at_ms", now_ms).toArray();
  }

  nextHoldExpiry(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT min(expires_at_ms) AS t FROM holds WHERE status = 'active' AND expires_at_ms IS NOT NULL").one().t;
  }

  // ---- outbox -------------------------------------------------------------------------------

  enqueueCredit(target_wallet_id: string, credit: IncomingCredit, now_ms: number): void {
    this.sql.exec(
      `INSERT INTO outbox (operation_id, target_wallet_id, kind, entry_type, currency, amount, description, reference, merchant_id, status, next_attempt_at_ms, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      credit.operation_id, target_wallet_id, credit.kind, credit.entry_type, credit.currency, credit.amount,
      credit.description, credit.reference, credit.merchant_id, now_ms, now_ms,
    );
  }

  dueOutbox(now_ms: number, limit: number): OutboxRow[] {
    return this.sql
      .exec<OutboxRow>("SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms LIMIT ?", now_ms, limit)
      .toArray();
  }

  markSent(operation_ids: string[], now_ms: number): void {
    for (const id of operation_ids) this.sql.exec("UPDATE outbox SET status = 'sent', sent_at_ms = ? WHERE operation_id = ?", now_ms, id);
  }

  markAttemptFailed(operation_ids: string[], delay_ms: (attempts: number) => number, now_ms: number): void {
    for (const id of operation_ids) {
      const attempts = this.sql.exec<{ attempts: number }>("SELECT attempts FROM outbox WHERE operation_id = ?", id).one().attempts + 1;
      this.sql.exec("UPDATE outbox SET attempts = ?, next_attempt_at_ms = ? WHERE operation_id = ?", attempts, now_ms + delay_ms(attempts), id);
    }
  }

  nextOutboxAttempt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT min(next_attempt_at_ms) AS t FROM outbox WHERE status = 'pending'").one().t;
  }

  pendingOutbox(currency: Currency, target_wallet_id?: string): number {
    const filter = target_wallet_id === undefined ? "" : " AND target_wallet_id = ?";
    const params: SqlStorageValue[] = target_wallet_id === undefined ? [currency] : [currency, target_wallet_id];
    return this.sql.exec<{ n: number }>(`SELECT coalesce(sum(amount), 0) AS n FROM outbox WHERE status = 'pending' AND currency = ?${filter}`, ...params).one().n;
  }

  // ---- commission (platform wallet) ---------------------------------------------------------

  addCommission(merchant_id: string, currency: Currency, amount: number): void {
    this.sql.exec(
      "INSERT INTO commission_received (merchant_id, currency, amount) VALUES (?, ?, ?) ON CONFLICT (merchant_id, currency) DO UPDATE SET amount = amount + excluded.amount",
      merchant_id, currency, amount,
    );
  }

  commissionByMerchant(currency: Currency): Record<string, number> {
    const rows = this.sql.exec<{ merchant_id: string; amount: number }>("SELECT merchant_id, amount FROM commission_received WHERE currency = ?", currency).toArray();
    return Object.fromEntries(rows.map((r) => [r.merchant_id, r.amount]));
  }
}

/** The transactions list's page and count statements; the time range is always bound, so an index serves it. */
interface Statement {
  query: string;
  params: SqlStorageValue[];
}

function entryQueries(filters: EntryFilters, limit: number, offset: number): [page: Statement, count: Statement] {
  const where: string[] = ["created_at_ms BETWEEN ? AND ?"];
  const params: SqlStorageValue[] = [filters.from_ms ?? 0, filters.to_ms ?? Number.MAX_SAFE_INTEGER];
  if (filters.currency) {
    where.push("currency = ?");
    params.push(filters.currency);
  }
  if (filters.type) {
    where.push("type = ?");
    params.push(filters.type);
  }
  const clause = where.join(" AND ");
  return [
    { query: `SELECT * FROM entries WHERE ${clause} ORDER BY created_at_ms DESC, seq DESC LIMIT ? OFFSET ?`, params: [...params, limit, offset] },
    { query: `SELECT count(*) AS n FROM entries WHERE ${clause}`, params },
  ];
}

export function entryView(row: EntryRow): EntryView {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type,
    currency: row.currency as Currency,
    amount: row.amount,
    balance_after: row.balance_after,
    held_after: row.held_after,
    description: row.description,
    reference: row.reference,
    created_at: toIsoSeconds(row.created_at_ms),
  };
}

export function chainEntryView(row: EntryRow): ChainEntryView {
  return { ...entryView(row), prev_hash: row.prev_hash, hash: row.hash };
}

export function holdView(row: HoldRow): HoldView {
  return {
    id: row.id,
    currency: row.currency as Currency,
    amount: row.amount,
    captured_amount: row.captured_amount,
    status: row.status,
    reference: row.reference,
    description: row.description,
    expires_at: row.expires_at_ms === null ? null : toIsoSeconds(row.expires_at_ms),
    created_at: toIsoSeconds(row.created_at_ms),
    resolved_at: row.resolved_at_ms === null ? null : toIsoSeconds(row.resolved_at_ms),
  };
}
