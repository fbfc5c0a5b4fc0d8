import { limitsOf } from "../domain/kyc";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { listMerchantsOfAccount } from "../db/accounts";
import { database } from "../db/client";
import { findMerchantForMember } from "../db/merchants";
import { findSettlementWalletId } from "../db/wallets";
import { withSandboxOffset } from "../domain/clock";
import { notFound } from "../domain/errors";
import { MODES, type Mode } from "../domain/mode";
import { can, modePermission, type Permission } from "../domain/roles";
import type { DashEnv, MerchantScope } from "./context";

/**
 * The merchant and mode of a page, for a member of that merchant: anyone else gets the 404 page,
 * as the API answers a non-member. Live mode is for owners and admins, who alone may hold live keys
 * (domain/roles.ts); the mode's sandbox clock applies as it does to a key of that mode.
 */
export async function buildScope(c: Context<DashEnv>, merchant_id: string, mode: Mode): Promise<MerchantScope | null> {
  const session = c.get("session");
  if (!session) return null;
  const db = database(c.env.DB);
  const found = await findMerchantForMember(db, merchant_id, session.account_id);
  if (!found) return null;
  if (mode === "live" && !can(found.role, "manage_live_keys")) return null;
  const settlement_wallet_id = await findSettlementWalletId(db, merchant_id, mode);
  if (!settlement_wallet_id) return null;
  const { merchant } = found;
  if (mode === "sandbox" && merchant.sandbox_clock_offset_seconds !== 0)
    c.set("clock", withSandboxOffset(c.get("clock"), merchant.sandbox_clock_offset_seconds));
  return {
    merchant_id,
    merchant_name: merchant.name,
    mode,
    role: found.role,
    caller: {
      merchant_id,
      merchant_name: merchant.name,
      mode,
      key_id: `dashboard:${session.account_id}`,
      key_type: "secret",
      commission_bps: merchant.commission_bps,
      payout_fee_bps: merchant.payout_fee_bps,
      settlement_wallet_id,
      kyc_limits: limitsOf(merchant.kyc_limits),
    },
    merchants: await listMerchantsOfAccount(db, session.account_id),
    base: `/admin/m/${merchant_id}/${mode}`,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** For every page under /admin/m/:merchant_id/:mode; without a session, the log-in page. */
export const requireScope = createMiddleware<DashEnv>(async (c, next) => {
  if (!c.get("session")) return c.redirect("/admin/login", 303);
  const merchant_id = c.req.param("merchant_id") ?? "";
  const mode = c.req.param("mode") ?? "";
  if (!UUID.test(merchant_id) || !(MODES as readonly string[]).includes(mode)) throw notFound("merchant");
  const scope = await buildScope(c, merchant_id, mode as Mode);
  if (!scope) throw notFound("merchant");
  c.set("scope", scope);
  await next();
});

/** Why this member may not do what `permission` covers, in their language; null when they may. */
export function denial(c: Context<DashEnv>, permission: Permission): string | null {
  const { role, mode } = c.get("scope");
  if (can(role, permission)) return null;
  const t = c.get("t");
  if (role === "viewer") return t("viewer_cannot", { role });
  if (permission === "manage_members" || permission === "manage_settings") return t("members_need_admin");
  return t("role_cannot", { role, mode: t(mode) });
}

/** What acting in this page's mode takes: the permission a key of the mode needs (domain/roles.ts). */
export const actInMode = (c: Context<DashEnv>) => modePermission(c.get("scope").mode);
