import { and, eq, ne, sql } from "drizzle-orm";
import type { Role } from "../domain/roles";
import type { Database } from "./client";
import { accounts, memberships, merchant_logos, merchants, wallets } from "./schema";

export type MerchantRow = typeof merchants.$inferSelect;
export type WalletRow = typeof wallets.$inferSelect;
export type MerchantLogoRow = typeof merchant_logos.$inferSelect;
export type MerchantChanges = Partial<Pick<MerchantRow, "name" | "website" | "display_name" | "brand_color" | "logo_id">> & {
  updated_at: string;
};

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
    .select({ merchant: merchants, role: memberships.role, logo_type: merchant_logos.content_type })
    .from(memberships)
    .innerJoin(merchants, eq(merchants.id, memberships.merchant_id))
    .leftJoin(merchant_logos, eq(merchant_logos.id, merchants.logo_id))
    .where(and(eq(memberships.merchant_id, merchant_id), eq(memberships.account_id, account_id)))
    .get();
}

export async function updateMerchant(db: Database, merchant_id: string, changes: MerchantChanges): Promise<MerchantRow | undefined> {
  const updated = await db.update(merchants).set(changes).where(eq(merchants.id, merchant_id)).returning();
  return updated[0];
}

/**
 * Changes the merchant's settings and, in the same D1 batch, its logo: a new logo row (or none),
 * the merchant pointing at it, and every other logo of that merchant deleted.
 */
export async function updateMerchantWithLogo(
  db: Database,
  merchant_id: string,
  changes: MerchantChanges,
  logo: MerchantLogoRow | null,
): Promise<MerchantRow | undefined> {
  const others = logo
    ? and(eq(merchant_logos.merchant_id, merchant_id), ne(merchant_logos.id, logo.id))
    : eq(merchant_logos.merchant_id, merchant_id);
  const update = db
    .update(merchants)
    .set({ ...changes, logo_id: logo?.id ?? null })
    .where(eq(merchants.id, merchant_id))
    .returning();
  if (!logo) {
    const [, updated] = await db.batch([db.delete(merchant_logos).where(others), update]);
    return updated[0];
  }
  const [, , updated] = await db.batch([db.insert(merchant_logos).values(logo), db.delete(merchant_logos).where(others), update]);
  return updated[0];
}

/** What the hosted checkout shows of a merchant besides the name its checkouts carry. */
export async function findBranding(db: Database, merchant_id: string) {
  return db
    .select({
      display_name: merchants.display_name,
      brand_color: merchants.brand_color,
      logo_id: merchants.logo_id,
      logo_content_type: merchant_logos.content_type,
      website: merchants.website,
    })
    .from(merchants)
    .leftJoin(merchant_logos, eq(merchant_logos.id, merchants.logo_id))
    .where(eq(merchants.id, merchant_id))
    .get();
}

/** A logo by its id, only while it is its merchant's current one. */
export async function findCurrentLogo(db: Database, logo_id: string) {
  return db
    .select({ content_type: merchant_logos.content_type, data_base64: merchant_logos.data_base64 })
    .from(merchant_logos)
    .innerJoin(merchants, and(eq(merchants.id, merchant_logos.merchant_id), eq(merchants.logo_id, merchant_logos.id)))
    .where(eq(merchant_logos.id, logo_id))
    .get();
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
