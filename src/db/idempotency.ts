import { and, eq, lt, sql } from "drizzle-orm";
import type { Database } from "./client";
import { idempotency_keys } from "./schema";

export type IdempotencyRow = typeof idempotency_keys.$inferSelect;

export interface ClaimInput {
  scope: string;
  key: string;
  request_hash: string;
  now_ms: number;
  lock_ms: number;
  retain_ms: number;
}

/**
 * Claims the key for this request in one statement: a new key is inserted; an expired one, or one
 * whose holder crashed (lock lapsed) while running the same request, is taken over. Returns null
 * when the claim succeeded, else the row that holds the key.
 */
export async function claimIdempotencyKey(db: Database, input: ClaimInput): Promise<IdempotencyRow | null> {
  const claimed = await db
    .insert(idempotency_keys)
    .values({
      scope: input.scope,
      key: input.key,
      request_hash: input.request_hash,
      state: "running",
      response_status: null,
      response_body: null,
      locked_until_ms: input.now_ms + input.lock_ms,
      expires_at_ms: input.now_ms + input.retain_ms,
    })
    .onConflictDoUpdate({
      target: [idempotency_keys.scope, idempotency_keys.key],
      set: {
        request_hash: sql`excluded.request_hash`,
        state: "running",
        response_status: null,
        response_body: null,
        locked_until_ms: sql`excluded.locked_until_ms`,
        expires_at_ms: sql`excluded.expires_at_ms`,
      },
      setWhere: sql`${idempotency_keys.expires_at_ms} <= ${input.now_ms}
        OR (${idempotency_keys.state} = 'running' AND ${idempotency_keys.locked_until_ms} <= ${input.now_ms}
            AND ${idempotency_keys.request_hash} = excluded.request_hash)`,
    })
    .returning({ scope: idempotency_keys.scope });
  if (claimed.length > 0) return null;
  const holder = await db
    .select()
    .from(idempotency_keys)
    .where(and(eq(idempotency_keys.scope, input.scope), eq(idempotency_keys.key, input.key)))
    .get();
  return holder ?? null;
}

const held = (scope: string, key: string, request_hash: string) =>
  and(eq(idempotency_keys.scope, scope), eq(idempotency_keys.key, key), eq(idempotency_keys.request_hash, request_hash));

export async function completeIdempotencyKey(
  db: Database,
  scope: string,
  key: string,
  request_hash: string,
  response: { status: number; body: string },
): Promise<void> {
  await db
    .update(idempotency_keys)
    .set({ state: "done", response_status: response.status, response_body: response.body })
    .where(held(scope, key, request_hash));
}

/** Frees the key after a failure on our side, so the client's retry runs the request again. */
export async function releaseIdempotencyKey(db: Database, scope: string, key: string, request_hash: string): Promise<void> {
  await db.delete(idempotency_keys).where(and(held(scope, key, request_hash), eq(idempotency_keys.state, "running")));
}

export async function deleteExpiredIdempotencyKeys(db: Database, now_ms: number): Promise<void> {
  await db.delete(idempotency_keys).where(lt(idempotency_keys.expires_at_ms, now_ms));
}
