import { and, count, desc, eq, gte, isNotNull, lte, sql } from "drizzle-orm";
import type { Mode } from "../domain/mode";
import type { Database } from "./client";
import { payouts } from "./schema";

export type PayoutIndexRow = typeof payouts.$inferInsert;

/** Writes a payout object's row; an older version never overwrites a newer one. */
export async function upsertPayoutIndex(db: Database, row: PayoutIndexRow): Promise<void> {
  await db
    .insert(payouts)
    .values(row)
    .onConflictDoUpdate({
      target: payouts.id,
      set: {
        status: sql.raw("excluded.status"),
        next_rail_at_ms: sql.raw("excluded.next_rail_at_ms"),
        version: sql.raw("excluded.version"),
        updated_at_ms: sql.raw("excluded.updated_at_ms"),
      },
      setWhere: sql`excluded.version > ${payouts.version}`,
    });
}

export interface PayoutFilters {
  status?: string;
  user_id?: string;
  from_ms?: number;
  to_ms?: number;
}

/** One page of a merchant's payouts, newest first, with the total for pagination. */
export async function listPayouts(db: Database, merchant_id: string, mode: Mode, filters: PayoutFilters, limit: number, offset: number) {
  const where = and(
    eq(payouts.merchant_id, merchant_id),
    eq(payouts.mode, mode),
    filters.status ? eq(payouts.status, filters.status) : undefined,
    filters.user_id ? eq(payouts.user_id, filters.user_id) : undefined,
    filters.from_ms !== undefined ? gte(payouts.created_at_ms, filters.from_ms) : undefined,
    filters.to_ms !== undefined ? lte(payouts.created_at_ms, filters.to_ms) : undefined,
  );
  const [rows, [total]] = await db.batch([
    db
      .select({ id: payouts.id })
      .from(payouts)
      .where(where)
      .orderBy(desc(payouts.created_at_ms), desc(payouts.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(payouts).where(where),
  ]);
  return { ids: rows.map((r) => r.id), total: total?.n ?? 0 };
}

/** Payouts of a merchant the rail acts on at or before `now_ms` (its clock): what a clock move must fire. */
export async function listDuePayouts(db: Database, merchant_id: string, mode: Mode, now_ms: number, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: payouts.id })
    .from(payouts)
    .where(
      and(
        eq(payouts.merchant_id, merchant_id),
        eq(payouts.mode, mode),
        isNotNull(payouts.next_rail_at_ms),
        lte(payouts.next_rail_at_ms, now_ms),
      ),
    )
    .limit(limit)
    .all();
  return rows.map((r) => r.id);
}
