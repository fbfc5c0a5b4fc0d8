import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { sha256Hex } from "../crypto/encoding";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../crypto/password";
import { findAccountByEmail, findAccountById, insertAccount, listMerchantsOfAccount } from "../db/accounts";
import { database } from "../db/client";
import { toIsoSeconds } from "../domain/clock";
import { newId } from "../domain/ids";
import { isStrongPassword, normalizeEmail, PASSWORD_RULE } from "../domain/password-policy";
import { ROLES } from "../domain/roles";
import { ACCESS_TOKEN_TTL_SECONDS, issueAccessToken, requireAccount } from "../http/auth-dashboard";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { ApiError, notFound } from "../http/errors";
import { DASHBOARD_AUTH, errors, jsonBody, success } from "../http/openapi";
import { rateLimit } from "../http/rate-limit";

// ---- Contract ---------------------------------------------------------------------------------

const Account = z
  .object({
    id: z.string().openapi({ example: "acct_3f9a8b7c6d5e4f3a" }),
    email: z.string(),
    name: z.string().nullable(),
    created_at: z.string().openapi({ example: "2026-03-15T10:30:00Z" }),
  })
  .openapi("Account");

const register = createRoute({
  method: "post",
  path: "/register",
  tags: ["Onboarding"],
  summary: "Create a dashboard account",
  request: {
    body: jsonBody(
      z.strictObject({
        email: z.email().max(254).openapi({ example: "owner@example.com" }),
        password: z.string().openapi({ example: "Correct-Horse-42", description: PASSWORD_RULE }),
        name: z.string().min(1).max(100).optional(),
      }),
    ),
  },
  responses: { 201: success(Account, "Account created"), ...errors(400, 415, 422) },
});

/** Password guessing is slowed per email address: 10 attempts per 15 minutes, wherever they come from. */
const loginThrottle = rateLimit({
  name: "login",
  limit: 10,
  window_seconds: 15 * 60,
  key: async (c) => {
    const body: unknown = await c.req.json().catch(() => null);
    const email = body && typeof body === "object" && "email" in body && typeof body.email === "string" ? body.email : "";
    return sha256Hex(normalizeEmail(email));
  },
});

const login = createRoute({
  method: "post",
  path: "/login",
  tags: ["Onboarding"],
  summary: "Exchange email and password for a dashboard access token (JWT); 10 attempts per 15 minutes per email",
  middleware: [loginThrottle] as const,
  request: { body: jsonBody(z.strictObject({ email: z.string().max(254), password: z.string().max(1024) })) },
  responses: {
    200: success(
      z.object({ access_token: z.string(), token_type: z.literal("Bearer"), expires_in: z.number().int() }).openapi("AccessToken"),
      "Logged in",
    ),
    ...errors(400, 401, 415, 429),
  },
});

const me = createRoute({
  method: "get",
  path: "/me",
  tags: ["Onboarding"],
  summary: "The logged-in account and its merchants with roles",
  security: DASHBOARD_AUTH,
  responses: {
    200: success(
      Account.extend({ merchants: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) })) }),
      "The account",
    ),
    ...errors(401),
  },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const authRoutes = new OpenAPIHono<AppEnv>();
authRoutes.use("/me", requireAccount);

authRoutes.openapi(register, async (c) => {
  const input = c.req.valid("json");
  if (!isStrongPassword(input.password)) throw new ApiError("weak_password", PASSWORD_RULE, "password");
  const row = {
    id: newId("account"),
    email: normalizeEmail(input.email),
    name: input.name ?? null,
    password_hash: await hashPassword(input.password),
    created_at: toIsoSeconds(c.get("clock").now_ms()),
  };
  const account = await insertAccount(database(c.env.DB), row);
  if (!account) throw new ApiError("email_taken", "An account with this email already exists; log in instead.", "email");
  const { password_hash: _, ...visible } = account;
  return c.json(ok(visible), 201);
});

authRoutes.openapi(login, async (c) => {
  const input = c.req.valid("json");
  const account = await findAccountByEmail(database(c.env.DB), normalizeEmail(input.email));
  // Hash even for an unknown email, so the response time does not reveal which emails have accounts.
  const valid = await verifyPassword(input.password, account?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!account || !valid) throw new ApiError("invalid_credentials", "Email or password is incorrect.");
  const access_token = await issueAccessToken(c.env, account.id, account.email, c.get("clock").now_ms());
  return c.json(ok({ access_token, token_type: "Bearer" as const, expires_in: ACCESS_TOKEN_TTL_SECONDS }), 200);
});

authRoutes.openapi(me, async (c) => {
  const db = database(c.env.DB);
  const { account_id } = c.get("account");
  const account = await findAccountById(db, account_id);
  if (!account) throw notFound("account");
  const { password_hash: _, ...visible } = account;
  return c.json(ok({ ...visible, merchants: await listMerchantsOfAccount(db, account_id) }), 200);
});
