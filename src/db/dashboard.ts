import { and, count, desc, eq, gte, like, or, sql, sum } from "drizzle-orm";
import type { Mode } from "../domain/mode";
import type { Database } from "./client";
import { events, payments, users, webhook_deliveries } from "./schema";

/** Reads the dashboard shows and the API has no route for; each is scoped by merchant and mode. */
type Scope = { merchant_id: string; mode: Mode };

/** One page of synced users, newest first; `search` matches the start of an external id, a name or an email. */
export async function listUsers(db: Database, scope: Scope, search: string | undefined, limit: number, offset: number) {
  const pattern = search ? `${search.replace(/[%_\\]/g, (ch) => `\\${ch}`)}%` : undefined;
  const where = and(
    eq(users.merchant_id, scope.merchant_id),
    eq(users.mode, scope.mode),
    pattern
      ? or(
          sql`${users.external_id} LIKE ${pattern} ESCAPE '\\'`,
          sql`${users.full_name} LIKE ${pattern} ESCAPE '\\'`,
          sql`${users.email} LIKE ${pattern} ESCAPE '\\'`,
        )
      : undefined,
  );
  const [rows, [total]] = await db.batch([
    db.select().from(users).where(where).orderBy(desc(users.created_at), desc(users.id)).limit(limit).offset(offset),
    db.select({ n: count() }).from(users).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/**
 * Captured and refunded amounts per currency and day (the day counted in the time zone `offset_ms`
 * east of UTC) of payments authorized since `since_ms`, from the payments index: what went through
 * the merchant's checkout, card top-ups included.
 */
export async function dailyVolume(db: Database, scope: Scope, since_ms: number, offset_ms: number) {
  const day = sql<string>`strftime('%Y-%m-%d', (${payments.created_at_ms} + ${offset_ms}) / 1000, 'unixepoch')`;
  return db
    .select({ day, currency: payments.currency, captured: sum(payments.captured_amount), refunded: sum(payments.refunded_amount) })
    .from(payments)
    .where(and(eq(payments.merchant_id, scope.merchant_id), eq(payments.mode, scope.mode), gte(payments.created_at_ms, since_ms)))
    .groupBy(day, payments.currency)
    .all();
}

export async function paymentCountsByStatus(db: Database, scope: Scope) {
  return db
    .select({ status: payments.status, n: count() })
    .from(payments)
    .where(and(eq(payments.merchant_id, scope.merchant_id), eq(payments.mode, scope.mode)))
    .groupBy(payments.status)
    .all();
}

/**
 * The events (kept 30 days) whose data names this object id, newest first. Events have no column for
 * the object they are about, so this searches their JSON within the merchant's recent events, bounded.
 */
export async function eventsAbout(db: Database, scope: Scope, object_id: string, since_ms: number, limit: number) {
  return db
    .select()
    .from(events)
    .where(
      and(
        eq(events.merchant_id, scope.merchant_id),
        eq(events.mode, scope.mode),
        gte(events.created_at_ms, since_ms),
        like(events.data, `%"${object_id.replace(/[%"\\]/g, "")}"%`),
      ),
    )
    .orderBy(desc(events.created_at_ms), desc(events.id))
    .limit(limit)
    .all();
}

/** Every delivery attempt of these events (to the merchant's endpoints), newest first. */
export async function deliveriesOfEvents(db: Database, scope: Scope, event_ids: string[]) {
  if (event_ids.length === 0) return [];
  return db
    .select()
    .from(webhook_deliveries)
    .where(
      and(
        eq(webhook_deliveries.merchant_id, scope.merchant_id),
        eq(webhook_deliveries.mode, scope.mode),
        sql`${webhook_deliveries.event_id} IN (${sql.join(
          event_ids.map((id) => sql`${id}`),
          sql`, `,
        )})`,
      ),
    )
    .orderBy(desc(webhook_deliveries.attempted_at_ms))
    .limit(200)
    .all();
}
