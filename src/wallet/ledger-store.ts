import { createHash } from "node:crypto";
import { toIsoSeconds } from "../domain/clock";
import { assert } from "../domain/assert";
import { CURRENCIES, type Currency } from "../domain/currencies";
import { canonicalEntry, ENTRY_TYPES, GENESIS_HASH, isAllowedMove, type EntryType } from "../domain/ledger";
import { newId } from "../domain/ids";
import type { BalanceView, EntryFilters } from "./types";

const sha256HexSync = (text: string) => createHash("sha256").update(text).digest("hex");

interface BalanceRow {
  currency: string;
  available: number;
  held: number;
  external_in: number;
  external_out: number;
  active_holds: number;
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

/**
 * Synchronous reads and writes of one wallet's ledger: the only code (with the hold and move stores
 * beside it) that knows the object's table names. Callers wrap each mutation in one storage
 * transaction; nothing here awaits, so no other request can interleave between reading a balance
 * and writing it.
 */
export class LedgerStore {
  /** Currencies whose held balance changed in the current transaction: their hold total is checked at its end. */
  readonly heldTouched = new Set<Currency>();

  constructor(private readonly sql: SqlStorage) {}

  // ---- meta ---------------------------------------------------------------------------------

  /**
   * Who the wallet is (its id, owner, clock offset) is read on every call and changes only through
   * setMeta, so it is kept in memory as well. setMeta is never called inside a transaction that
   * could roll back, which would leave this copy ahead of storage.
   */
  private readonly meta = new Map<string, string | null>();

  getMeta(key: string): string | null {
    if (!this.meta.has(key))
      this.meta.set(key, this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null);
    return this.meta.get(key)!;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
    this.meta.set(key, value);
  }

  // ---- balances -----------------------------------------------------------------------------

  private balanceRow(currency: Currency): BalanceRow | undefined {
    return this.sql.exec<BalanceRow>("SELECT * FROM balances WHERE currency = ?", currency).toArray()[0];
  }

  balance(currency: Currency): { available: number; held: number } {
    const row = this.balanceRow(currency);
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
      `INSERT INTO balances (currency, ${column}) VALUES (?, ?) ON CONFLICT (currency) DO UPDATE SET ${column} = ${column} + ` +
        `excluded.${column}`,
      currency,
      amount,
    );
  }

  externals(currency: Currency): { external_in: number; external_out: number } {
    const row = this.balanceRow(currency);
    return { external_in: row?.external_in ?? 0, external_out: row?.external_out ?? 0 };
  }

  /** Keeps the running total of active holds that the held balance must equal. */
  addActiveHolds(currency: Currency, delta: number): void {
    // Not an upsert: SQLite checks an upsert's candidate row (a negative delta) against CHECKs first.
    this.sql.exec("INSERT INTO balances (currency) VALUES (?) ON CONFLICT (currency) DO NOTHING", currency);
    this.sql.exec("UPDATE balances SET active_holds = active_holds + ? WHERE currency = ?", delta, currency);
    this.heldTouched.add(currency);
  }

  /** O(1), at the end of every transaction that moved held funds: held is exactly the running total of active holds. */
  assertHeldMatchesActiveHolds(): void {
    for (const currency of this.heldTouched) {
      const row = this.balanceRow(currency);
      assert((row?.held ?? 0) === (row?.active_holds ?? 0), `held ${row?.held} != active holds ${row?.active_holds} in ${currency}`);
    }
    this.heldTouched.clear();
  }

  /** The full check, for the audit and the tests: the running total agrees with the holds themselves. */
  activeHoldsRecount(currency: Currency): { running_total: number; recounted: number } {
    const recounted = this.sql
      .exec<{ total: number }>("SELECT coalesce(sum(amount), 0) AS total FROM holds WHERE status = 'active' AND currency = ?", currency)
      .one().total;
    return { running_total: this.balanceRow(currency)?.active_holds ?? 0, recounted };
  }

  // ---- issuance (on settlement wallets): the merchant's money in the system -----------------

  /** Raises the merchant's money in the system by `amount`, or returns false if that passes the currency's bound. */
  reserveIssuance(currency: Currency, amount: number): boolean {
    const issued = this.issued(currency);
    if (issued + amount > CURRENCIES[currency].max_issued_minor) return false;
    this.sql.exec(
      "INSERT INTO issuance (currency, issued) VALUES (?, ?) ON CONFLICT (currency) DO UPDATE SET issued = issued + excluded.issued",
      currency,
      amount,
    );
    return true;
  }

  issued(currency: Currency): number {
    return this.sql.exec<{ issued: number }>("SELECT issued FROM issuance WHERE currency = ?", currency).toArray()[0]?.issued ?? 0;
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
    // The entry's count rides on the same statement; the column name comes from the closed set of types.
    const counter = `entries_${input.type}`;
    this.sql.exec(
      `INSERT INTO balances (currency, available, held, ${counter}) VALUES (?, ?, ?, 1)
       ON CONFLICT (currency) DO UPDATE SET available = excluded.available, held = excluded.held, ${counter} = ${counter} + 1`,
      input.currency,
      after.available,
      after.held,
    );
    if (after.held !== before.held) this.heldTouched.add(input.currency);

    const last = this.sql
      .exec<{ seq: number; hash: string; created_at_ms: number }>("SELECT seq, hash, created_at_ms FROM entries ORDER BY seq DESC LIMIT 1")
      .toArray()[0];
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
    row.hash = sha256HexSync(canonicalEntry(row.prev_hash, { ...row, wallet_id, created_at: toIsoSeconds(created_at_ms) }));
    this.sql.exec(
      `INSERT INTO entries (seq, id, type, currency, amount, balance_after, held_after, description, reference, operation_id,
        created_at_ms, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.seq,
      row.id,
      row.type,
      row.currency,
      row.amount,
      row.balance_after,
      row.held_after,
      row.description,
      row.reference,
      row.operation_id,
      row.created_at_ms,
      row.prev_hash,
      row.hash,
    );
    return row as EntryRow;
  }

  lastSeq(): number {
    return this.sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM entries").one().seq ?? 0;
  }

  /**
   * One page of entries, newest first. Every filter combination is a range search on an index.
   * The total comes from the per-type counts unless a time range is given, so the usual page costs
   * the same on a wallet of a hundred entries or a million.
   */
  listEntries(filters: EntryFilters, limit: number, offset: number): { entries: EntryRow[]; total: number } {
    const [page, count] = entryQueries(filters, limit, offset);
    const entries = this.sql.exec<EntryRow>(page.query, ...page.params).toArray();
    const timed = filters.from_ms !== undefined || filters.to_ms !== undefined;
    const total = timed ? this.sql.exec<{ n: number }>(count.query, ...count.params).one().n : this.countedEntries(filters);
    return { entries, total };
  }

  private countedEntries(filters: EntryFilters): number {
    const columns = (filters.type ? [filters.type] : ENTRY_TYPES).map((t) => `entries_${t}`).join(" + ");
    const where = filters.currency ? " WHERE currency = ?" : "";
    const params: SqlStorageValue[] = filters.currency ? [filters.currency] : [];
    return this.sql.exec<{ n: number | null }>(`SELECT sum(${columns}) AS n FROM balances${where}`, ...params).one().n ?? 0;
  }

  /** The query plans of exactly the statements listEntries runs, for the index test. */
  explainListEntries(filters: EntryFilters): string[] {
    return entryQueries(filters, 20, 0).flatMap(({ query, params }) =>
      this.sql
        .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...params)
        .toArray()
        .map((r) => r.detail),
    );
  }

  chain(after_seq: number, limit: number): EntryRow[] {
    return this.sql.exec<EntryRow>("SELECT * FROM entries WHERE seq > ? ORDER BY seq LIMIT ?", after_seq, limit).toArray();
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
    {
      query: `SELECT * FROM entries WHERE ${clause} ORDER BY created_at_ms DESC, seq DESC LIMIT ? OFFSET ?`,
      params: [...params, limit, offset],
    },
    { query: `SELECT count(*) AS n FROM entries WHERE ${clause}`, params },
  ];
}
