import { database } from "../db/client";
import { deleteExpiredIdempotencyKeys } from "../db/idempotency";

/** The cron's work: prune what has expired. Later issues add re-driving of half-done operations. */
export async function runMaintenance(env: Env, now_ms: number): Promise<void> {
  const db = database(env.DB);
  await deleteExpiredIdempotencyKeys(db, now_ms);
}
