import { and, eq, sql } from "drizzle-orm";
import type { Role } from "../domain/roles";
import type { Database } from "./client";
import { accounts, memberships, merchants, wallets } from "./schema";

export type MerchantRow = typeof merchants.$inferSelect;
export type WalletRow = typeof wallets.$inferSelect;

/** The merchant, its owner membership and its settlement wallets, in one D1 transaction. */
export async function insertMerchant(
  db: Database,
  merchant: MerchantRow,
  owner_account_id: string,
  settlement_wallets: WalletRow[],
): Promise<void> {
  await db.batch([
    db.insert(merchants).values(merchant),
    db.insert(memberships).values({
      merchant_id: merchant.id,
      account_id: owner_account_id,
      role: "owner",
      created_at: merchant.created_at,
    }),
    db.insert(wallets).values(settlement_wallets),
  ]);
}

/** The merchant with the caller's role, or undefined when the caller is not a member (a 404 to them). */
export async function findMerchantForMember(db: Database, merchant_id: string, account_id: string) {
  return db
    .select({ merchant: merchants, role: memberships.role })
    .from(memberships)
    .innerJoin(merchants, eq(merchants.id, memberships.merchant_id))
    .where(and(eq(memberships.merchant_id, merchant_id), eq(memberships.account_id, account_id)))
    .get();
}

export async function updateMerchant(
  db: Database,
  merchant_id: string,
  changes: Partial<Pick<MerchantRow, "name" | "website">> & { updated_at: string },
): Promise<MerchantRow | undefined> {
  const updated = await db.update(merchants).set(changes).where(eq(merchants.id, merchant_id)).returning();
  return updated[0];
}

const memberColumns = {
  account_id: memberships.account_id,
  email: accounts.email,
  name: accounts.name,
  role: memberships.role,
  created_at: memberships.created_at,
};

export async function findMember(db: Database, merchant_id: string, account_id: string) {
  return db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(accounts, eq(accounts.id, memberships.account_id))
    .where(and(eq(memberships.merchant_id, merchant_id), eq(memberships.account_id, account_id)))
    .get();
}

export async function listMembers(db: Database, merchant_id: string) {
  return db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(accounts, eq(accounts.id, memberships.account_id))
    .where(eq(memberships.merchant_id, merchant_id))
    .orderBy(memberships.created_at, sql`memberships.rowid`)
    .all();
}

/** Adds the account as a member; returns false when it is one already (its role is then changed separately). */
export async function insertMember(db: Database, merchant_id: string, account_id: string, role: Role, now: string) {
  const inserted = await db
    .insert(memberships)
    .values({ merchant_id, account_id, role, created_at: now })
    .onConflictDoNothing()
    .returning();
  return inserted.length > 0;
}

/** True when the merchant has an owner other than this account (so it may lose this one). */
const anotherOwnerExists = (merchant_id: string, account_id: string) => sql`
  EXISTS (SELECT 1 FROM memberships WHERE merchant_id = ${merchant_id} AND role = 'owner' AND account_id <> ${account_id})`;

/**
 * Removes a member unless that would leave the merchant without an owner. The check and the delete
 * are one statement, so two owners removing each other at once cannot both succeed.
 */
export async function deleteMemberKeepingAnOwner(db: Database, merchant_id: string, account_id: string): Promise<boolean> {
  const result = await db.run(sql`
    DELETE FROM memberships
    WHERE merchant_id = ${merchant_id} AND account_id = ${account_id}
      AND (role <> 'owner' OR ${anotherOwnerExists(merchant_id, account_id)})`);
  return result.meta.changes > 0;
}

/** Changes a member's role unless that would demote the last owner; same single-statement guard. */
export async function changeRoleKeepingAnOwner(db: Database, merchant_id: string, account_id: string, role: Role): Promise<boolean> {
  const result = await db.run(sql`
    UPDATE memberships SET role = ${role}
    WHERE merchant_id = ${merchant_id} AND account_id = ${account_id}
      AND (role <> 'owner' OR ${role} = 'owner' OR ${anotherOwnerExists(merchant_id, account_id)})`);
  return result.meta.changes > 0;
}
