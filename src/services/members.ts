import { findAccountByEmail } from "../db/accounts";
import type { Database } from "../db/client";
import { changeRoleKeepingAnOwner, deleteMemberKeepingAnOwner, findMember, insertMember } from "../db/merchants";
import { ApiError, notFound } from "../domain/errors";
import { normalizeEmail } from "../domain/password-policy";
import { canAssign, type Role } from "../domain/roles";

/**
 * The team's rules, for the API and the dashboard alike: the caller already has `manage_members`;
 * only an owner grants, changes or removes the owner role, and a merchant keeps at least one owner.
 */
function assertMayTouch(actor: Role, ...roles: Role[]) {
  if (!roles.every((role) => canAssign(actor, role))) {
    throw new ApiError("insufficient_role", "Only an owner may grant, change or remove the owner role.");
  }
}

const lastOwner = () => new ApiError("last_owner", "A merchant keeps at least one owner; make someone else owner first.", "account_id");

/** Adds an existing account to the team, or changes its role; `added` says which. */
export async function addOrChangeMember(db: Database, merchant_id: string, actor: Role, input: { email: string; role: Role; now: string }) {
  const account = await findAccountByEmail(db, normalizeEmail(input.email));
  if (!account) throw new ApiError("account_not_found", "No account has this email; ask them to register first.", "email");
  const current = await findMember(db, merchant_id, account.id);
  assertMayTouch(actor, input.role, ...(current ? [current.role] : []));
  const added = await insertMember(db, merchant_id, account.id, input.role, input.now);
  if (!added && !(await changeRoleKeepingAnOwner(db, merchant_id, account.id, input.role))) throw lastOwner();
  const member = await findMember(db, merchant_id, account.id);
  if (!member) throw notFound("member", "email");
  return { member, added };
}

export async function removeMember(db: Database, merchant_id: string, actor: Role, account_id: string) {
  const member = await findMember(db, merchant_id, account_id);
  if (!member) throw notFound("member", "account_id");
  assertMayTouch(actor, member.role);
  if (!(await deleteMemberKeepingAnOwner(db, merchant_id, member.account_id))) throw lastOwner();
  return member;
}
