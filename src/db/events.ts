import { and, count, desc, eq, getTableColumns, gte, inArray, isNull, lt } from "drizzle-orm";
import type { EventMessage } from "../domain/events";
import type { Mode } from "../domain/mode";
import type { Database } from "./client";
import { events, webhook_deliveries } from "./schema";
import { statementChunks } from "../domain/chunks";

export type EventRow = typeof events.$inferSelect;

/** What one inserted event row binds: each of its columns. */
const EVENT_ROW_PARAMETERS = Object.keys(getTableColumns(events)).length;

/** Records events once each (by id), however many times they were forwarded: one round trip. */
export async function insertEvents(db: Database, messages: EventMessage[]): Promise<void> {
  const [first, ...rest] = statementChunks(messages, { fixed: 0, per_item: EVENT_ROW_PARAMETERS }).map((rows) =>
    db
      .insert(events)
      .values(rows.map((e) => ({ ...e, fanned_out_at_ms: null })))
      .onConflictDoNothing(),
  );
  if (first) await db.batch([first, ...rest]);
}

/** Of these ids, the events whose deliveries have not been queued yet. */
export async function unfannedEvents(db: Database, ids: string[]): Promise<EventRow[]> {
  const rows: EventRow[] = [];
  for (const part of statementChunks(ids, { fixed: 0, per_item: 1 })) {
    rows.push(
      ...(await db
        .select()
        .from(events)
        .where(and(inArray(events.id, part), isNull(events.fanned_out_at_ms)))
        .all()),
    );
  }
  // Creation order, so deliveries usually arrive in the order things happened (not guaranteed: retries reorder).
  return rows.sort((a, b) => a.created_at_ms - b.created_at_ms || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function markFannedOut(db: Database, ids: string[], now_ms: number): Promise<void> {
  const [first, ...rest] = statementChunks(ids, { fixed: 1, per_item: 1 }).map((part) =>
    db.update(events).set({ fanned_out_at_ms: now_ms }).where(inArray(events.id, part)),
  );
  if (first) await db.batch([first, ...rest]);
}

/** Events whose fan-out has waited longer than it should (a crash between recording and queueing): the cron re-queues them. */
export async function staleUnfannedEventIds(db: Database, older_than_ms: number, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: events.id })
    .from(events)
    .where(and(isNull(events.fanned_out_at_ms), lt(events.created_at_ms, older_than_ms)))
    .limit(limit)
    .all();
  return rows.map((r) => r.id);
}

export async function findEvent(db: Database, id: string, scope?: { merchant_id: string; mode: Mode }): Promise<EventRow | undefined> {
  const where = scope ? and(eq(events.id, id), eq(events.merchant_id, scope.merchant_id), eq(events.mode, scope.mode)) : eq(events.id, id);
  return db.select().from(events).where(where).get();
}

export async function listEvents(
  db: Database,
  scope: { merchant_id: string; mode: Mode },
  filters: { type?: string; since_ms: number },
  limit: number,
  offset: number,
) {
  const where = and(
    eq(events.merchant_id, scope.merchant_id),
    eq(events.mode, scope.mode),
    gte(events.created_at_ms, filters.since_ms),
    filters.type ? eq(events.type, filters.type) : undefined,
  );
  const [rows, [total]] = await db.batch([
    db.select().from(events).where(where).orderBy(desc(events.created_at_ms), desc(events.id)).limit(limit).offset(offset),
    db.select({ n: count() }).from(events).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** Events and delivery attempts older than the retention (30 days). */
export async function pruneEvents(db: Database, before_ms: number): Promise<void> {
  await db.batch([
    db.delete(events).where(lt(events.created_at_ms, before_ms)),
    db.delete(webhook_deliveries).where(lt(webhook_deliveries.attempted_at_ms, before_ms)),
  ]);
}
