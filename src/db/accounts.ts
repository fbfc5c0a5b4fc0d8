import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { accounts, memberships, merchants } from "./schema";

export type AccountRow = typeof accounts.$inferSelect;

/** Inserts the account, or returns null when the email is already taken (atomic, race-free). */
export async function insertAccount(db: Database, row: AccountRow): Promise<AccountRow | null> {
  const inserted = await db.insert(accounts).values(row).onConflictDoNothing().returning();
  return inserted[0] ?? null;
}

export async function findAccountByEmail(db: Database, email: string): Promise<AccountRow | undefined> {
  return db.select().from(accounts).where(eq(accounts.email, email)).get();
}

export async function findAccountById(db: Database, id: string): Promise<AccountRow | undefined> {
  return db.select().from(accounts).where(eq(accounts.id, id)).get();
}

export async function listMerchantsOfAccount(db: Database, account_id: string) {
  return db
    .select({ id: merchants.id, name: merchants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(merchants, eq(merchants.id, memberships.merchant_id))
    .where(eq(memberships.account_id, account_id))
    .orderBy(memberships.created_at)
    .all();
}
