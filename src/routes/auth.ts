import { OpenAPIHono, z } from "@hono/zod-openapi";
import { findAccountById, listMerchantsOfAccount } from "../db/accounts";
import { database } from "../db/client";
import { normalizeEmail, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_PATTERN, PASSWORD_RULE } from "../domain/password-policy";
import { ROLES } from "../domain/roles";
import { ACCESS_TOKEN_TTL_SECONDS, issueAccessToken } from "../http/auth-dashboard";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { ApiError, notFound } from "../domain/errors";
import { throttledLogin } from "../http/login-throttle";
import { defineRoute, errors, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { checkPassword, registerAccount } from "../services/accounts";

// ---- Contract ---------------------------------------------------------------------------------

const Account = z
  .object({
    id: z.string().openapi({ example: "acct_3f9a8b7c6d5e4f3a" }),
    email: z.string(),
    name: z.string().nullable(),
    created_at: z.string().openapi({ example: "2026-03-15T10:30:00Z" }),
  })
  .openapi("Account");

const register = defineRoute({
  method: "post",
  path: "/register",
  operationId: "register",
  tags: ["Onboarding"],
  summary: "Create a dashboard account",
  auth: "public",
  request: {
    body: jsonBody(
      z.strictObject({
        email: z.email().max(254).openapi({ example: "owner@example.com" }),
        // The rule is checked by the handler, so a weak password is the spec's 400 weak_password;
        // the schema states the same rule for clients and generators.
        password: z.string().openapi({
          example: "Correct-Horse-42",
          description: PASSWORD_RULE,
          minLength: PASSWORD_MIN_LENGTH,
          maxLength: PASSWORD_MAX_LENGTH,
          pattern: PASSWORD_PATTERN,
        }),
        name: z.string().min(1).max(100).optional(),
      }),
    ),
  },
  responses: { 201: success(Account, "Account created") },
});

const login = defineRoute({
  method: "post",
  path: "/login",
  operationId: "login",
  tags: ["Onboarding"],
  summary: "Exchange email and password for a dashboard access token (JWT); failed attempts are throttled",
  description:
    "Failed attempts are limited to 10 per 15 minutes per email address and client IP, and 100 per 15 minutes per email address from " +
    "networks that have not logged in to the account before (429 with Retry-After).",
  auth: "public",
  request: { body: jsonBody(z.strictObject({ email: z.string().max(254), password: z.string().max(1024) })) },
  responses: {
    200: success(
      z.object({ access_token: z.string(), token_type: z.literal("Bearer"), expires_in: z.number().int() }).openapi("AccessToken"),
      "Logged in",
    ),
    ...errors(401, 429),
  },
});

const me = defineRoute({
  method: "get",
  path: "/me",
  operationId: "getAccount",
  tags: ["Onboarding"],
  summary: "The logged-in account and its merchants with roles",
  auth: "dashboard",
  responses: {
    200: success(
      Account.extend({ merchants: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) })) }),
      "The account",
    ),
  },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const authRoutes = new OpenAPIHono<AppEnv>();

authRoutes.openapi(register, async (c) => {
  const input = c.req.valid("json");
  const account = await registerAccount(database(c.env.DB), { ...input, now_ms: c.get("clock").now_ms() });
  return c.json(ok(account), 201);
});

authRoutes.openapi(login, async (c) => {
  const input = c.req.valid("json");
  const email = normalizeEmail(input.email);
  const account = await throttledLogin(c, email, () => checkPassword(database(c.env.DB), email, input.password));
  if (!account) throw new ApiError("invalid_credentials", "Email or password is incorrect.");
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

// The contract's types, as clients (and the tests) send and read them.
export type RegisterRequest = RequestBodyOf<typeof register>;
export type RegisterResponse = ResponseDataOf<typeof register, 201>;
export type LoginRequest = RequestBodyOf<typeof login>;
export type LoginResponse = ResponseDataOf<typeof login, 200>;
export type GetAccountResponse = ResponseDataOf<typeof me, 200>;
