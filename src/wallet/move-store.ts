import type { Currency } from "../domain/currencies";
import type { IncomingCredit } from "./types";

export interface OutboxRow {
  operation_id: string;
  target_wallet_id: string;
  kind: IncomingCredit["kind"];
  entry_type: IncomingCredit["entry_type"];
  currency: string;
  amount: number;
  description: string | null;
  reference: string | null;
  status: "pending" | "sent";
  attempts: number;
  next_attempt_at_ms: number;
  [key: string]: SqlStorageValue;
}

export interface TransferRow {
  id: string;
  credit_operation_id: string;
  to_wallet_id: string;
  from_user_id: string | null;
  to_user_id: string | null;
  currency: string;
  amount: number;
  description: string | null;
  reference: string | null;
  created_at_ms: number;
  request_id: string | null;
  idempotency_key: string | null;
  [key: string]: SqlStorageValue;
}

/**
 * Money moving between wallets (docs/architecture.md, "Moving money between wallets"): the outbox of credits
 * this wallet owes others, the transfers it sent, and the credits it received — keyed by (source
 * wallet, operation id), so a redelivery is a no-op and two sources can never collide.
 */
export class MoveStore {
  constructor(private readonly sql: SqlStorage) {}

  // ---- outgoing -----------------------------------------------------------------------------

  enqueue(target_wallet_id: string, credit: IncomingCredit, now_ms: number): void {
    this.sql.exec(
      `INSERT INTO outbox (operation_id, target_wallet_id, kind, entry_type, currency, amount, description, reference, status,
        next_attempt_at_ms, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      credit.operation_id,
      target_wallet_id,
      credit.kind,
      credit.entry_type,
      credit.currency,
      credit.amount,
      credit.description,
      credit.reference,
      now_ms,
      now_ms,
    );
  }

  due(now_ms: number, limit: number): OutboxRow[] {
    return this.sql
      .exec<OutboxRow>(
        "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms LIMIT ?",
        now_ms,
        limit,
      )
      .toArray();
  }

  outboxStatus(operation_id: string): OutboxRow["status"] | null {
    return (
      this.sql.exec<{ status: OutboxRow["status"] }>("SELECT status FROM outbox WHERE operation_id = ?", operation_id).toArray()[0]
        ?.status ?? null
    );
  }

  /**
   * Marks delivered rows sent; returns the ids this call turned from pending to sent. Two deliveries
   * of the same rows can overlap (the alarm and a write's immediate delivery): only one turns each
   * row, so only one records what follows from it (a transfer's completion event).
   */
  markSent(operation_ids: string[], now_ms: number): string[] {
    const turned: string[] = [];
    for (const id of operation_ids) {
      const row = this.sql
        .exec(
          "UPDATE outbox SET status = 'sent', sent_at_ms = ? WHERE operation_id = ? AND status = 'pending' RETURNING operation_id",
          now_ms,
          id,
        )
        .toArray();
      if (row.length > 0) turned.push(id);
    }
    return turned;
  }

  markAttemptFailed(operation_ids: string[], delay_ms: (attempts: number) => number, now_ms: number): void {
    for (const id of operation_ids) {
      const attempts = this.sql.exec<{ attempts: number }>("SELECT attempts FROM outbox WHERE operation_id = ?", id).one().attempts + 1;
      this.sql.exec(
        "UPDATE outbox SET attempts = ?, next_attempt_at_ms = ? WHERE operation_id = ?",
        attempts,
        now_ms + delay_ms(attempts),
        id,
      );
    }
  }

  nextAttempt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT min(next_attempt_at_ms) AS t FROM outbox WHERE status = 'pending'").one().t;
  }

  pending(currency: Currency, target_wallet_id?: string): number {
    const filter = target_wallet_id === undefined ? "" : " AND target_wallet_id = ?";
    const params: SqlStorageValue[] = target_wallet_id === undefined ? [currency] : [currency, target_wallet_id];
    return this.sql
      .exec<{ n: number }>(`SELECT coalesce(sum(amount), 0) AS n FROM outbox WHERE status = 'pending' AND currency = ?${filter}`, ...params)
      .one().n;
  }

  // ---- transfers ----------------------------------------------------------------------------

  insertTransfer(row: TransferRow): void {
    this.sql.exec(
      `INSERT INTO transfers (id, credit_operation_id, to_wallet_id, from_user_id, to_user_id, currency, amount, description, reference,
        created_at_ms, request_id, idempotency_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.id,
      row.credit_operation_id,
      row.to_wallet_id,
      row.from_user_id,
      row.to_user_id,
      row.currency,
      row.amount,
      row.description,
      row.reference,
      row.created_at_ms,
      row.request_id,
      row.idempotency_key,
    );
  }

  transferByCredit(credit_operation_id: string): TransferRow | null {
    return this.sql.exec<TransferRow>("SELECT * FROM transfers WHERE credit_operation_id = ?", credit_operation_id).toArray()[0] ?? null;
  }

  getTransfer(id: string): TransferRow | null {
    return this.sql.exec<TransferRow>("SELECT * FROM transfers WHERE id = ?", id).toArray()[0] ?? null;
  }

  // ---- incoming -----------------------------------------------------------------------------

  findReceived(source_wallet_id: string, operation_id: string): { fingerprint: string } | null {
    return (
      this.sql
        .exec<{ fingerprint: string }>(
          "SELECT fingerprint FROM received WHERE source_wallet_id = ? AND operation_id = ?",
          source_wallet_id,
          operation_id,
        )
        .toArray()[0] ?? null
    );
  }

  recordReceived(source_wallet_id: string, operation_id: string, fingerprint: string, entry_id: string, now_ms: number): void {
    this.sql.exec(
      "INSERT INTO received (source_wallet_id, operation_id, fingerprint, entry_id, created_at_ms) VALUES (?, ?, ?, ?, ?)",
      source_wallet_id,
      operation_id,
      fingerprint,
      entry_id,
      now_ms,
    );
  }
}
