import type { Currency } from "../domain/currencies";
import { assert } from "../domain/assert";
import type { LedgerStore } from "./ledger-store";
import type { HoldStatus } from "./types";

export interface HoldRow {
  id: string;
  user_id: string | null;
  payment_id: string | null;
  currency: string;
  amount: number;
  captured_amount: number;
  commission_amount: number | null;
  net_amount: number | null;
  status: HoldStatus;
  reference: string | null;
  description: string | null;
  expires_at_ms: number | null;
  created_at_ms: number;
  resolved_at_ms: number | null;
  [key: string]: SqlStorageValue;
}

export interface NewHold {
  id: string;
  user_id: string | null;
  payment_id: string | null;
  currency: Currency;
  amount: number;
  reference: string | null;
  description: string | null;
  expires_at_ms: number | null;
  created_at_ms: number;
}

/** A wallet's holds. Each status change moves the running total of active holds that `held` must equal. */
export class HoldStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly ledger: LedgerStore,
  ) {}

  insert(hold: NewHold): void {
    this.sql.exec(
      "INSERT INTO holds (id, user_id, payment_id, currency, amount, status, reference, description, expires_at_ms, created_at_ms) " +
        "VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
      hold.id,
      hold.user_id,
      hold.payment_id,
      hold.currency,
      hold.amount,
      hold.reference,
      hold.description,
      hold.expires_at_ms,
      hold.created_at_ms,
    );
    this.ledger.addActiveHolds(hold.currency, hold.amount);
  }

  get(id: string): HoldRow | null {
    return this.sql.exec<HoldRow>("SELECT * FROM holds WHERE id = ?", id).toArray()[0] ?? null;
  }

  resolve(
    hold: HoldRow,
    outcome: { status: Exclude<HoldStatus, "active">; captured_amount?: number; commission_amount?: number; net_amount?: number },
    now_ms: number,
  ): void {
    // RETURNING counts rows; rowsWritten would also count the index entries touched.
    const changed = this.sql
      .exec(
        "UPDATE holds SET status = ?, captured_amount = ?, commission_amount = ?, net_amount = ?, resolved_at_ms = ? WHERE id = ? AND " +
          "status = 'active' RETURNING id",
        outcome.status,
        outcome.captured_amount ?? 0,
        outcome.commission_amount ?? null,
        outcome.net_amount ?? null,
        now_ms,
        hold.id,
      )
      .toArray().length;
    assert(changed === 1, `hold ${hold.id} was not active`);
    this.ledger.addActiveHolds(hold.currency as Currency, -hold.amount);
  }

  due(now_ms: number): HoldRow[] {
    return this.sql
      .exec<HoldRow>("SELECT * FROM holds WHERE status = 'active' AND expires_at_ms <= ? ORDER BY expires_at_ms", now_ms)
      .toArray();
  }

  nextExpiry(): number | null {
    return this.sql
      .exec<{ t: number | null }>("SELECT min(expires_at_ms) AS t FROM holds WHERE status = 'active' AND expires_at_ms IS NOT NULL")
      .one().t;
  }
}
