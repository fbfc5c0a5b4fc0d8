import { and, eq, inArray } from "drizzle-orm";
import type { Mode } from "../domain/mode";
import type { Database } from "./client";
import { wallets } from "./schema";

export async function findSettlementWalletId(db: Database, merchant_id: string, mode: Mode): Promise<string | undefined> {
  const row = await db
    .select({ id: wallets.id })
    .from(wallets)
    .where(and(eq(wallets.merchant_id, merchant_id), eq(wallets.mode, mode), eq(wallets.kind, "settlement")))
    .get();
  return row?.id;
}

/** Up to `limit` of a merchant's users' wallets in one mode. */
export async function listUserWalletIds(db: Database, merchant_id: string, mode: Mode, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: wallets.id })
    .from(wallets)
    .where(and(eq(wallets.merchant_id, merchant_id), eq(wallets.mode, mode), eq(wallets.kind, "user")))
    .limit(limit)
    .all();
  return rows.map((r) => r.id);
}

/** Every wallet a merchant's audit covers in one mode: its users' wallets and its settlement wallet. */
export async function listMerchantWalletIds(db: Database, merchant_id: string, mode: Mode): Promise<string[]> {
  const rows = await db
    .select({ id: wallets.id })
    .from(wallets)
    .where(and(eq(wallets.merchant_id, merchant_id), eq(wallets.mode, mode), inArray(wallets.kind, ["user", "settlement"])))
    .all();
  return rows.map((r) => r.id);
}
