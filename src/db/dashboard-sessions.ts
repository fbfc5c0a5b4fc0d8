import { and, eq, gt, isNull, lt } from "drizzle-orm";
import type { Database } from "./client";
import { dashboard_sessions } from "./schema";

export type DashboardSessionRow = typeof dashboard_sessions.$inferSelect;

export async function insertSession(db: Database, row: DashboardSessionRow): Promise<void> {
  await db.insert(dashboard_sessions).values(row);
}

/** A session that is neither revoked nor expired at `now_ms`, by its token's hash. */
export async function findLiveSession(db: Database, token_hash: string, now_ms: number): Promise<DashboardSessionRow | undefined> {
  return db
    .select()
    .from(dashboard_sessions)
    .where(
      and(
        eq(dashboard_sessions.token_hash, token_hash),
        isNull(dashboard_sessions.revoked_at_ms),
        gt(dashboard_sessions.expires_at_ms, now_ms),
      ),
    )
    .get();
}

/** Logging out: the row stays (until it expires) so the token is refused rather than unknown. */
export async function revokeSession(db: Database, token_hash: string, now_ms: number): Promise<void> {
  await db
    .update(dashboard_sessions)
    .set({ revoked_at_ms: now_ms })
    .where(and(eq(dashboard_sessions.token_hash, token_hash), isNull(dashboard_sessions.revoked_at_ms)));
}

export async function pruneSessions(db: Database, now_ms: number): Promise<void> {
  await db.delete(dashboard_sessions).where(lt(dashboard_sessions.expires_at_ms, now_ms));
}
