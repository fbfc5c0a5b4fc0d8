import { OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { findMerchantForMember, updateMerchant, type MerchantRow } from "../db/merchants";
import { toIsoSeconds } from "../domain/clock";
import { ROLES, type Role } from "../domain/roles";
import { requirePermission } from "../http/auth-dashboard";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { notFound } from "../domain/errors";
import { idempotency } from "../http/idempotency";
import { forgetMerchantKeys } from "../http/key-cache";
import { defineRoute, errors, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { createMerchant } from "../services/merchants";

// ---- Contract ---------------------------------------------------------------------------------

export const MerchantId = z.uuid().openapi({ param: { name: "id", in: "path" }, example: "550e8400-e29b-41d4-a716-446655440000" });

const Merchant = z
  .object({
    id: z.uuid(),
    name: z.string(),
    website: z.string().nullable(),
    commission_bps: z.number().int().openapi({ description: "Platform commission in basis points (250 = 2.5 %)" }),
    role: z.enum(ROLES).openapi({ description: "The caller's role in this merchant" }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Merchant");

const name = z.string().trim().min(1).max(100).openapi({ example: "Mazad Antiques" });
const website = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .openapi({ example: "https://antiques.example" });

const create = defineRoute({
  method: "post",
  path: "/",
  operationId: "createMerchant",
  tags: ["Onboarding"],
  summary: "Create a merchant; returns its first sandbox keys, shown once",
  auth: "dashboard",
  idempotent: true,
  middleware: [idempotency] as const,
  request: { body: jsonBody(z.strictObject({ name, website: website.optional() })) },
  responses: {
    201: success(
      Merchant.extend({
        secret_key: z.string().openapi({ example: "sk_sandbox_…", description: "Shown once; store it safely" }),
        publishable_key: z.string().openapi({ example: "pk_sandbox_…" }),
      }),
      "Merchant created",
    ),
  },
});

const read = defineRoute({
  method: "get",
  path: "/{id}",
  operationId: "getMerchant",
  tags: ["Onboarding"],
  summary: "A merchant's settings",
  auth: "member",
  request: { params: z.object({ id: MerchantId }) },
  responses: { 200: success(Merchant, "The merchant") },
});

const update = defineRoute({
  method: "patch",
  path: "/{id}",
  operationId: "updateMerchant",
  tags: ["Onboarding"],
  summary: "Change a merchant's settings (owner, admin)",
  auth: "member",
  middleware: [requirePermission("manage_settings")] as const,
  request: {
    params: z.object({ id: MerchantId }),
    body: jsonBody(z.strictObject({ name: name.optional(), website: website.nullable().optional() })),
  },
  responses: { 200: success(Merchant, "The updated merchant"), ...errors(403) },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const merchantRoutes = new OpenAPIHono<AppEnv>();

function present(merchant: MerchantRow, role: Role) {
  const { id, name, website, commission_bps, created_at, updated_at } = merchant;
  return { id, name, website, commission_bps, role, created_at, updated_at };
}

merchantRoutes.openapi(create, async (c) => {
  const input = c.req.valid("json");
  const created = await createMerchant(database(c.env.DB), c.env.DATA_ENCRYPTION_KEY, {
    name: input.name,
    website: input.website ?? null,
    owner_account_id: c.get("account").account_id,
    now_ms: c.get("clock").now_ms(),
  });
  return c.json(
    ok({ ...present(created.merchant, "owner"), secret_key: created.secret_key, publishable_key: created.publishable_key }),
    201,
  );
});

merchantRoutes.openapi(read, async (c) => {
  const found = await findMerchantForMember(database(c.env.DB), c.req.valid("param").id, c.get("account").account_id);
  if (!found) throw notFound("merchant", "id");
  return c.json(ok(present(found.merchant, found.role)), 200);
});

merchantRoutes.openapi(update, async (c) => {
  const changes = c.req.valid("json");
  const { merchant_id, role } = c.get("membership");
  const updated = await updateMerchant(database(c.env.DB), merchant_id, {
    ...changes,
    updated_at: toIsoSeconds(c.get("clock").now_ms()),
  });
  if (!updated) throw notFound("merchant", "id");
  // Keys carry the merchant's settings (its name for the checkout page): read afresh here at once.
  forgetMerchantKeys(merchant_id);
  return c.json(ok(present(updated, role)), 200);
});

// The contract's types, as clients (and the tests) send and read them.
export type CreateMerchantRequest = RequestBodyOf<typeof create>;
export type CreateMerchantResponse = ResponseDataOf<typeof create, 201>;
export type GetMerchantResponse = ResponseDataOf<typeof read, 200>;
export type UpdateMerchantRequest = RequestBodyOf<typeof update>;
export type UpdateMerchantResponse = ResponseDataOf<typeof update, 200>;
