import { and, desc, eq, isNull } from "drizzle-orm";
import type { Database } from "./client";
import { api_keys, merchants, wallets } from "./schema";

export type ApiKeyRow = typeof api_keys.$inferSelect;

export async function insertApiKey(db: Database, row: ApiKeyRow): Promise<void> {
  await db.insert(api_keys).values(row);
}

export async function listApiKeys(db: Database, merchant_id: string): Promise<ApiKeyRow[]> {
  return db.select().from(api_keys).where(eq(api_keys.merchant_id, merchant_id)).orderBy(desc(api_keys.created_at)).all();
}

export async function findApiKey(db: Database, merchant_id: string, key_id: string): Promise<ApiKeyRow | undefined> {
  return db
    .select()
    .from(api_keys)
    .where(and(eq(api_keys.id, key_id), eq(api_keys.merchant_id, merchant_id)))
    .get();
}

/** Revokes the key; returns the row, or undefined when the merchant has no such key. Idempotent. */
export async function revokeApiKey(db: Database, merchant_id: string, key_id: string, now: string) {
  const updated = await db
    .update(api_keys)
    .set({ revoked_at: now })
    .where(and(eq(api_keys.id, key_id), eq(api_keys.merchant_id, merchant_id), isNull(api_keys.revoked_at)))
    .returning();
  return updated[0] ?? findApiKey(db, merchant_id, key_id);
}

/**
 * What authenticating a request needs, in one read: the key, the few merchant settings every
 * request uses, and the merchant's settlement wallet in the key's mode (captures credit it).
 */
const keyWithMerchant = {
  key: api_keys,
  merchant_name: merchants.name,
  commission_bps: merchants.commission_bps,
  kyc_limits: merchants.kyc_limits,
  payout_fee_bps: merchants.payout_fee_bps,
  sandbox_clock_offset_seconds: merchants.sandbox_clock_offset_seconds,
  settlement_wallet_id: wallets.id,
};

export type KeyWithMerchant = NonNullable<Awaited<ReturnType<typeof findActiveKeyByHash>>>;

function selectKeyWithMerchant(db: Database) {
  return db
    .select(keyWithMerchant)
    .from(api_keys)
    .innerJoin(merchants, eq(merchants.id, api_keys.merchant_id))
    .innerJoin(
      wallets,
      and(eq(wallets.merchant_id, api_keys.merchant_id), eq(wallets.mode, api_keys.mode), eq(wallets.kind, "settlement")),
    );
}

/** An unrevoked secret or publishable key by the SHA-256 of its value. */
export async function findActiveKeyByHash(db: Database, secret_hash: string) {
  return selectKeyWithMerchant(db)
    .where(and(eq(api_keys.secret_hash, secret_hash), isNull(api_keys.revoked_at)))
    .get();
}

export async function findActiveSigningKey(db: Database, key_id: string) {
  return selectKeyWithMerchant(db)
    .where(and(eq(api_keys.id, key_id), eq(api_keys.type, "signing"), isNull(api_keys.revoked_at)))
    .get();
}
