import { and, eq, inArray } from "drizzle-orm";
import type { Mode } from "../http/context";
import type { Database } from "./client";
import { holds, wallets } from "./schema";

export type HoldLocation = typeof holds.$inferSelect;

export async function findSettlementWalletId(db: Database, merchant_id: string, mode: Mode): Promise<string | undefined> {
  const row = await db
    .select({ id: wallets.id })
    .from(wallets)
    .where(and(eq(wallets.merchant_id, merchant_id), eq(wallets.mode, mode), eq(wallets.kind, "settlement")))
    .get();
  return row?.id;
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

export async function insertHoldLocation(db: Database, row: HoldLocation): Promise<void> {
  await db.insert(holds).values(row);
}

export async function deleteHoldLocation(db: Database, id: string): Promise<void> {
  await db.delete(holds).where(eq(holds.id, id));
}

export async function findHoldLocation(db: Database, merchant_id: string, mode: Mode, id: string): Promise<HoldLocation | undefined> {
  return db.select().from(holds).where(and(eq(holds.id, id), eq(holds.merchant_id, merchant_id), eq(holds.mode, mode))).get();
}

export async function findWalletStatus(db: Database, wallet_id: string) {
  const row = await db.select({ status: wallets.status }).from(wallets).where(eq(wallets.id, wallet_id)).get();
  return row?.status ?? "active";
}
