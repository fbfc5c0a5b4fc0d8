import { OpenAPIHono, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { findApiKey, listApiKeys, revokeApiKey, type ApiKeyRow } from "../db/api-keys";
import { database } from "../db/client";
import { API_KEY_TYPES, MODES } from "../domain/api-keys";
import { toIsoSeconds } from "../domain/clock";
import { can, modePermission } from "../domain/roles";
import { requirePermission } from "../http/auth-dashboard";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { ApiError, notFound } from "../domain/errors";
import { idempotency } from "../http/idempotency";
import { forgetKey } from "../http/key-cache";
import { defineRoute, errors, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { issueApiKey } from "../services/api-keys";
import { MerchantId } from "./merchants";

// ---- Contract ---------------------------------------------------------------------------------

const ApiKey = z
  .object({
    id: z.string().openapi({ example: "key_3f9a8b7c6d5e4f3a", description: "For signing keys, the `mk_…` value sent as X-Api-Key" }),
    type: z.enum(API_KEY_TYPES),
    mode: z.enum(MODES),
    name: z.string().nullable(),
    masked: z.string().openapi({ example: "sk_sandbox_…a1b2" }),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi("ApiKey");

const RevealedApiKey = ApiKey.extend({
  secret: z.string().openapi({
    example: "sk_sandbox_…",
    description: "Shown once. For secret and publishable keys, the key itself; for signing keys, the HMAC secret",
  }),
  key_id: z.string().optional().openapi({ example: "mk_sandbox_…", description: "Signing keys only: the X-Api-Key value" }),
}).openapi("RevealedApiKey");

const params = z.object({ id: MerchantId });

/**
 * Live keys need an owner or admin. Checked before the idempotency middleware, so a stored response
 * (which holds a secret) is replayed only to someone allowed to create that key now. The body is
 * read leniently here; validation proper comes after.
 */
const requireModePermission = createMiddleware<AppEnv>(async (c, next) => {
  const body: unknown = await c.req.json().catch(() => null);
  if (body && typeof body === "object" && "mode" in body && body.mode === "live") assertMayManageMode(c.get("membership").role, "live");
  await next();
});

const create = defineRoute({
  method: "post",
  path: "/{id}/api-keys",
  operationId: "createApiKey",
  tags: ["Onboarding"],
  summary: "Create an API key (secret, publishable or signing) for a mode; the secret is shown once",
  auth: "member",
  idempotent: true,
  // Live keys need an owner or admin: checked before a stored response could be replayed.
  middleware: [requirePermission("manage_keys"), requireModePermission, idempotency] as const,
  request: {
    params,
    body: jsonBody(
      z.strictObject({ type: z.enum(API_KEY_TYPES), mode: z.enum(MODES), name: z.string().trim().min(1).max(100).optional() }),
    ),
  },
  responses: { 201: success(RevealedApiKey, "Key created"), ...errors(403) },
});

const list = defineRoute({
  method: "get",
  path: "/{id}/api-keys",
  operationId: "listApiKeys",
  tags: ["Onboarding"],
  summary: "The merchant's keys, masked",
  auth: "member",
  request: { params },
  responses: { 200: success(z.object({ api_keys: z.array(ApiKey) }), "Keys, newest first") },
});

const revoke = defineRoute({
  method: "delete",
  path: "/{id}/api-keys/{key_id}",
  operationId: "revokeApiKey",
  tags: ["Onboarding"],
  summary: "Revoke a key: it fails with 401 from now on",
  auth: "member",
  middleware: [requirePermission("manage_keys")] as const,
  request: {
    params: params.extend({
      key_id: z
        .string()
        .max(64)
        .openapi({ param: { name: "key_id", in: "path" } }),
    }),
  },
  responses: { 200: success(ApiKey, "The revoked key"), ...errors(403) },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const apiKeyRoutes = new OpenAPIHono<AppEnv>();

function visible(row: ApiKeyRow) {
  return {
    id: row.id,
    type: row.type,
    mode: row.mode,
    name: row.name,
    masked: row.masked,
    created_at: row.created_at,
    revoked_at: row.revoked_at,
  };
}

function assertMayManageMode(role: Parameters<typeof can>[0], mode: "sandbox" | "live") {
  if (!can(role, modePermission(mode))) {
    throw new ApiError("insufficient_role", "Only owners and admins manage live keys.");
  }
}

apiKeyRoutes.openapi(create, async (c) => {
  const input = c.req.valid("json");
  const { merchant_id, role } = c.get("membership");
  assertMayManageMode(role, input.mode);
  const issued = await issueApiKey(database(c.env.DB), c.env.DATA_ENCRYPTION_KEY, {
    merchant_id,
    mode: input.mode,
    type: input.type,
    name: input.name ?? null,
    now_ms: c.get("clock").now_ms(),
  });
  const key_id = issued.row.type === "signing" ? { key_id: issued.row.id } : {};
  return c.json(ok({ ...visible(issued.row), ...key_id, secret: issued.secret }), 201);
});

apiKeyRoutes.openapi(list, async (c) => {
  const rows = await listApiKeys(database(c.env.DB), c.get("membership").merchant_id);
  return c.json(ok({ api_keys: rows.map(visible) }), 200);
});

apiKeyRoutes.openapi(revoke, async (c) => {
  const { merchant_id, role } = c.get("membership");
  const db = database(c.env.DB);
  const existing = await findApiKey(db, merchant_id, c.req.valid("param").key_id);
  if (!existing) throw notFound("API key", "key_id");
  assertMayManageMode(role, existing.mode);
  const revoked = await revokeApiKey(db, merchant_id, existing.id, toIsoSeconds(c.get("clock").now_ms()));
  if (!revoked) throw notFound("API key", "key_id");
  forgetKey(revoked.id);
  return c.json(ok(visible(revoked)), 200);
});

// The contract's types, as clients (and the tests) send and read them.
export type CreateApiKeyRequest = RequestBodyOf<typeof create>;
export type CreateApiKeyResponse = ResponseDataOf<typeof create, 201>;
export type ListApiKeysResponse = ResponseDataOf<typeof list, 200>;
export type RevokeApiKeyResponse = ResponseDataOf<typeof revoke, 200>;
