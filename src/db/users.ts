import { and, eq, or, sql } from "drizzle-orm";
import type { Mode } from "../domain/mode";
import type { Database } from "./client";
import { events, users, wallets } from "./schema";

export type UserRow = typeof users.$inferSelect;
export type UserChanges = Partial<Pick<UserRow, "full_name" | "email" | "phone" | "metadata">>;

/**
 * Upsert by (merchant, mode, external_id) in one D1 transaction. The candidate wallet row is written
 * only if the user row now points at the candidate id, i.e. only when this call created the user:
 * two racing first syncs still make one user and one wallet.
 */
export async function upsertUser(
  db: Database,
  candidate: UserRow,
  changes: UserChanges,
  event: { id: string; created_at_ms: number; request_id: string; idempotency_key: string | null },
): Promise<UserRow> {
  const [upserted] = await db.batch([
    db
      .insert(users)
      .values(candidate)
      .onConflictDoUpdate({
        target: [users.merchant_id, users.mode, users.external_id],
        set: { ...changes, updated_at: candidate.updated_at },
      })
      .returning(),
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
    // The user.synced event, its object built from the row as it now is.
    db.insert(events).select(
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
        .where(and(eq(users.merchant_id, candidate.merchant_id), eq(users.mode, candidate.mode), eq(users.external_id, candidate.external_id))),
    ),
  ]);
  return upserted[0]!;
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
