import { createMiddleware } from "hono/factory";
import { sign, verify } from "hono/jwt";
import { database } from "../db/client";
import { findMerchantForMember } from "../db/merchants";
import { can, type Permission } from "../domain/roles";
import type { AppEnv } from "./context";
import { ApiError, notFound } from "../domain/errors";

/** Dashboard access tokens: HS256 JWTs from hono/jwt, issuer and expiry checked. */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

export async function issueAccessToken(env: Env, account_id: string, email: string, now_ms: number): Promise<string> {
  const iat = Math.floor(now_ms / 1000);
  return sign({ sub: account_id, email, iss: env.JWT_ISSUER, iat, exp: iat + ACCESS_TOKEN_TTL_SECONDS }, env.JWT_SECRET, "HS256");
}

export const requireAccount = createMiddleware<AppEnv>(async (c, next) => {
  const token = /^Bearer (.+)$/i.exec(c.req.header("Authorization") ?? "")?.[1]?.trim();
  if (!token) throw new ApiError("authentication_required", "Send the access token from /auth/login as `Authorization: Bearer …`.");
  const payload = await verify(token, c.env.JWT_SECRET, { alg: "HS256", iss: c.env.JWT_ISSUER }).catch(() => null);
  if (!payload || typeof payload.sub !== "string" || typeof payload.email !== "string") {
    throw new ApiError("invalid_token", "The access token is invalid or expired; log in again.");
  }
  c.set("account", { account_id: payload.sub, email: payload.email });
  c.set("idempotencyScope", `account:${payload.sub}`);
  await next();
});

/**
 * Loads the merchant named in the path for a member of it. A non-member gets a 404, never a 403,
 * so the response does not confirm that the merchant exists.
 */
export const requireMembership = createMiddleware<AppEnv>(async (c, next) => {
  const merchant_id = c.req.param("id") ?? "";
  const found = await findMerchantForMember(database(c.env.DB), merchant_id, c.get("account").account_id);
  if (!found) throw notFound("merchant", "id");
  c.set("membership", { merchant_id, role: found.role });
  await next();
});

export function requirePermission(permission: Permission) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { role } = c.get("membership");
    if (!can(role, permission)) {
      throw new ApiError("insufficient_role", `Your role (${role}) does not allow this; ask an owner or admin.`);
    }
    await next();
  });
}
