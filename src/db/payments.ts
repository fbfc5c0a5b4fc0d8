import { and, count, desc, eq, gte, isNotNull, lte, sql } from "drizzle-orm";
import type { Mode } from "../domain/mode";
import type { Database } from "./client";
import { checkouts, payments } from "./schema";

export type CheckoutIndexRow = typeof checkouts.$inferInsert;
export type PaymentIndexRow = typeof payments.$inferInsert;
export type PaymentRow = typeof payments.$inferSelect;

/** Writes an object's index rows; an older version never overwrites a newer one. */
export async function upsertPaymentIndex(
  db: Database,
  rows: { checkout: CheckoutIndexRow; payment: PaymentIndexRow | null },
): Promise<void> {
  const checkout = db
    .insert(checkouts)
    .values(rows.checkout)
    .onConflictDoUpdate({
      target: checkouts.id,
      set: excluded(["status", "payment_id", "next_deadline_ms", "version", "updated_at_ms"]),
      setWhere: sql`excluded.version > ${checkouts.version}`,
    });
  if (!rows.payment) {
    await checkout;
    return;
  }
  const payment = db
    .insert(payments)
    .values(rows.payment)
    .onConflictDoUpdate({
      target: payments.id,
      set: excluded(["status", "captured_amount", "refunded_amount", "commission_amount", "version", "updated_at_ms"]),
      setWhere: sql`excluded.version > ${payments.version}`,
    });
  await db.batch([checkout, payment]);
}

function excluded(columns: string[]) {
  return Object.fromEntries(columns.map((c) => [c, sql.raw(`excluded.${c}`)]));
}

/** Checkouts of a merchant with a deadline at or before `now_ms` (its clock): what a clock move must fire. */
export async function listDueCheckouts(db: Database, merchant_id: string, mode: Mode, now_ms: number, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: checkouts.id })
    .from(checkouts)
    .where(
      and(
        eq(checkouts.merchant_id, merchant_id),
        eq(checkouts.mode, mode),
        isNotNull(checkouts.next_deadline_ms),
        lte(checkouts.next_deadline_ms, now_ms),
      ),
    )
    .limit(limit)
    .all();
  return rows.map((r) => r.id);
}

export interface PaymentFilters {
  status?: string;
  from_ms?: number;
  to_ms?: number;
}

/** One page of a merchant's payments, newest first, with the total for pagination. */
export async function listPayments(db: Database, merchant_id: string, mode: Mode, filters: PaymentFilters, limit: number, offset: number) {
  const where = and(
    eq(payments.merchant_id, merchant_id),
    eq(payments.mode, mode),
    filters.status ? eq(payments.status, filters.status) : undefined,
    filters.from_ms !== undefined ? gte(payments.created_at_ms, filters.from_ms) : undefined,
    filters.to_ms !== undefined ? lte(payments.created_at_ms, filters.to_ms) : undefined,
  );
  const [rows, [total]] = await db.batch([
    db.select().from(payments).where(where).orderBy(desc(payments.created_at_ms), desc(payments.id)).limit(limit).offset(offset),
    db.select({ n: count() }).from(payments).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}
