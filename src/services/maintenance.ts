import { database } from "../db/client";
import { pruneSessions } from "../db/dashboard-sessions";
import { pruneEvents, staleUnfannedEventIds } from "../db/events";
import { deleteExpiredIdempotencyKeys } from "../db/idempotency";
import type { WebhookMessage } from "../domain/events";
import { chunks } from "../domain/chunks";

/** Events (and their delivery log) are kept 30 days. */
export const EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;
/** An event recorded this long ago whose deliveries were never queued is queued again. */
const FAN_OUT_GRACE_MS = 60_000;
const BATCH = 100;

/**
 * The cron's work (every minute): prune what has expired, and re-queue the fan-out of events whose
 * consumer died between recording them and queueing their deliveries, or whose registry write
 * could not reach the queue.
 */
export async function runMaintenance(env: Env, now_ms: number): Promise<void> {
  const db = database(env.DB);
  await deleteExpiredIdempotencyKeys(db, now_ms);
  await pruneEvents(db, now_ms - EVENT_RETENTION_MS);
  await pruneSessions(db, now_ms);
  const stale = await staleUnfannedEventIds(db, now_ms - FAN_OUT_GRACE_MS, 1_000);
  for (const batch of chunks(stale, BATCH)) {
    await env.EVENTS.sendBatch(batch.map((event_id) => ({ body: { kind: "fan_out", event_id } satisfies WebhookMessage })));
  }
}
