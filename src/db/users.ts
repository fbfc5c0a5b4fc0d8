import { and, eq, or, sql, type SQL } from "drizzle-orm";
import type { Mode } from "../domain/mode";
import type { Database } from "./client";
import { events, users, wallets } from "./schema";

export type UserRow = typeof users.$inferSelect;
export type UserChanges = Partial<Pick<UserRow, "full_name" | "email" | "phone" | "metadata" | "kyc_level">>;

export interface SyncEvent {
  id: string;
  created_at_ms: number;
  request_id: string;
  idempotency_key: string | null;
}

/**
 * Creates the user, its wallet and its first user.synced event in one D1 batch, unless a user with
 * this external id exists already (two racing first syncs make one user and one wallet): then
 * nothing is written and the answer is undefined.
 */
export async function insertUser(db: Database, candidate: UserRow, event: SyncEvent): Promise<UserRow | undefined> {
  const [inserted] = await db.batch([
    db.insert(users).values(candidate).onConflictDoNothing().returning(),
    db.insert(wallets).select(
      db
        .select({
          id: users.wallet_id,
          merchant_id: users.merchant_id,
          mode: users.mode,
          kind: sql<"user">`'user'`.as("kind"),
          user_id: users.id,
          status: sql<"active">`'active'`.as("status"),
          created_at: users.created_at,
        })
        .from(users)
        .where(eq(users.wallet_id, candidate.wallet_id)),
    ),
    insertSyncEvent(db, event, eq(users.wallet_id, candidate.wallet_id)),
  ]);
  return inserted[0];
}

/**
 * Applies a sync's changes to the user at `version`, making it `version + 1`, with its user.synced
 * event, in one batch. Undefined when the user is no longer at `version` (another sync changed it
 * meanwhile): the caller reads it again and decides afresh.
 */
export async function updateUser(
  db: Database,
  current: UserRow,
  changes: UserChanges,
  updated_at: string,
  event: SyncEvent,
): Promise<UserRow | undefined> {
  const next_version = current.version + 1;
  const [updated] = await db.batch([
    db
      .update(users)
      .set({ ...changes, updated_at, version: next_version })
      .where(and(eq(users.id, current.id), eq(users.version, current.version)))
      .returning(),
    insertSyncEvent(db, event, and(eq(users.id, current.id), eq(users.version, next_version))!),
  ]);
  return updated[0];
}

/**
 * The user.synced event, its object built from the row as it now is, written only if `where`
 * finds the row this sync wrote. Its id is derived from (user, version): were it written twice, it
 * would be one event.
 */
function insertSyncEvent(db: Database, event: SyncEvent, where: SQL) {
  return db
    .insert(events)
    .select(
      db
        .select({
          id: sql<string>`${event.id}`.as("id"),
          merchant_id: users.merchant_id,
          mode: users.mode,
          type: sql<string>`'user.synced'`.as("type"),
          data: sql<string>`json_object('object', json_object(
            'mazad_user_id', ${users.id}, 'external_id', ${users.external_id}, 'full_name', ${users.full_name},
            'email', ${users.email}, 'phone', ${users.phone}, 'wallet_id', ${users.wallet_id},
            'default_currency', ${users.default_currency}, 'metadata', json(${users.metadata}),
            'created_at', ${users.created_at}, 'updated_at', ${users.updated_at}))`.as("data"),
          request_id: sql<string | null>`${event.request_id}`.as("request_id"),
          idempotency_key: sql<string | null>`${event.idempotency_key}`.as("idempotency_key"),
          created_at_ms: sql<number>`${event.created_at_ms}`.as("created_at_ms"),
          fanned_out_at_ms: sql<number | null>`NULL`.as("fanned_out_at_ms"),
        })
        .from(users)
        .where(where),
    )
    .onConflictDoNothing();
}

/** A user by the merchant's external id (exactly that, not a Mazad id). */
export async function findUserByExternalId(db: Database, merchant_id: string, mode: Mode, external_id: string) {
  return db
    .select()
    .from(users)
    .where(and(eq(users.merchant_id, merchant_id), eq(users.mode, mode), eq(users.external_id, external_id)))
    .get();
}

/** A user by `mzd_usr_…` id or by the merchant's external id; the Mazad id wins if both match. */
export async function findUser(db: Database, merchant_id: string, mode: Mode, id_or_external_id: string) {
  return db
    .select()
    .from(users)
    .where(
      and(
        eq(users.merchant_id, merchant_id),
        eq(users.mode, mode),
        or(eq(users.id, id_or_external_id), eq(users.external_id, id_or_external_id)),
      ),
    )
    .orderBy(sql`${users.id} = ${id_or_external_id} DESC`)
    .limit(1)
    .get();
}
