import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "../db/client";
import { findUser, type UserRow } from "../db/users";
import { CURRENCY_CODES, DEFAULT_CURRENCY } from "../domain/currencies";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { notFound } from "../domain/errors";
import { idempotency } from "../http/idempotency";
import { defineRoute, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { syncUser, type SyncUserInput } from "../services/user-sync";
import { forgetUser, walletCall, walletStub } from "../services/wallets";
import { KYC_LEVELS } from "../domain/kyc";
import { unwrap } from "../domain/outcome";
import type { WebhookMessage } from "../domain/events";
import { metadata, syncedExternalId, userIdParam } from "./schemas";
import { requestCause } from "../http/request-context";

// ---- Contract ---------------------------------------------------------------------------------

const full_name = z.string().trim().min(1).max(200).openapi({ example: "Ahmed Al-Rashid" });
const email = z.email().max(254).nullable().optional().openapi({ example: "ahmed@example.com" });
const phone = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, "phone must be in E.164 format, e.g. +9647701234567")
  .nullable()
  .optional()
  .openapi({ example: "+9647701234567" });
const kyc_level = z
  .enum(KYC_LEVELS)
  .optional()
  .openapi({ description: "What you have verified of the user; its wallet enforces the level's limits. New users: none" });
const default_currency = z.enum(CURRENCY_CODES).default(DEFAULT_CURRENCY).openapi({ description: "Defaults to IQD; set on creation only" });

const EmbeddedUser = z
  .object({
    mazad_user_id: z.string().openapi({ example: "mzd_usr_9f8e7d6c5b4a" }),
    external_id: z.string(),
    full_name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    wallet_id: z.string().openapi({ example: "wal_a1b2c3d4e5f6" }),
    default_currency: z.string(),
    kyc_level: z.enum(KYC_LEVELS),
    metadata: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("EmbeddedUser");

/** The same user in the checkout quickstart's words: a route answers in the vocabulary it was asked in. */
const QuickstartUser = EmbeddedUser.omit({ external_id: true, full_name: true })
  .extend({ external_user_id: z.string().openapi({ example: "usr_buyer_001" }), name: z.string().openapi({ example: "Ahmed Al-Bayati" }) })
  .openapi("QuickstartUser");

function syncResponses<T extends z.ZodType>(user: T) {
  return {
    201: success(user, "Created the user and its wallet"),
    200: success(user, "Updated the existing user; the wallet is unchanged"),
  };
}

const embeddedSync = defineRoute({
  method: "post",
  path: "/embedded/users/sync",
  operationId: "syncEmbeddedUser",
  tags: ["Users"],
  summary: "Create or update an embedded user by external_id; the wallet is created once",
  auth: "merchant",
  idempotent: true,
  // Syncs racing on one user take turns; past a few turns the answer is 429 with Retry-After.
  busyObject: true,
  middleware: [idempotency] as const,
  request: {
    body: jsonBody(
      z
        .strictObject({
          external_id: syncedExternalId,
          full_name,
          email,
          phone,
          metadata: metadata.optional(),
          default_currency,
          kyc_level,
        })
        .openapi("UserSync"),
    ),
  },
  responses: syncResponses(EmbeddedUser),
});

const quickstartSync = defineRoute({
  method: "post",
  path: "/users/sync",
  operationId: "syncUser",
  tags: ["Users"],
  summary: "The same operation with the checkout quickstart's field names, in the request and the answer",
  auth: "merchant",
  idempotent: true,
  // Syncs racing on one user take turns; past a few turns the answer is 429 with Retry-After.
  busyObject: true,
  middleware: [idempotency] as const,
  request: {
    body: jsonBody(
      z
        .strictObject({
          external_user_id: syncedExternalId,
          name: full_name,
          email,
          phone,
          metadata: metadata.optional(),
          default_currency,
          kyc_level,
        })
        .openapi("QuickstartUserSync"),
    ),
  },
  responses: syncResponses(QuickstartUser),
});

const read = defineRoute({
  method: "get",
  path: "/embedded/users/{id}",
  operationId: "getEmbeddedUser",
  tags: ["Users"],
  summary: "An embedded user by mazad_user_id or your external_id",
  auth: "merchant",
  request: { params: userIdParam },
  responses: { 200: success(EmbeddedUser, "The user") },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const userRoutes = new OpenAPIHono<AppEnv>();

function present(user: UserRow) {
  return {
    mazad_user_id: user.id,
    external_id: user.external_id,
    full_name: user.full_name,
    email: user.email,
    phone: user.phone,
    wallet_id: user.wallet_id,
    default_currency: user.default_currency,
    kyc_level: user.kyc_level,
    metadata: JSON.parse(user.metadata) as Record<string, unknown>,
    created_at: user.created_at,
    updated_at: user.updated_at,
  };
}

/** The user as the quickstart route names its fields (external_user_id, name). */
function presentQuickstart(user: UserRow) {
  const { mazad_user_id, external_id, full_name, ...rest } = present(user);
  return { mazad_user_id, external_user_id: external_id, name: full_name, ...rest };
}

async function respondToSync<T>(c: Context<AppEnv>, input: SyncUserInput, shape: (user: UserRow) => T) {
  const { merchant_id, mode } = c.get("merchant");
  const cause = requestCause(c);
  const { user, created, event_id } = await syncUser(
    database(c.env.DB),
    { merchant_id, mode, now_ms: c.get("clock").now_ms(), cause },
    input,
  );
  if (!created) forgetUser(user.id);
  // The wallet enforces the level: told on every sync that names one (a retry after a failure here tells it again).
  if (input.kyc_level !== undefined) {
    const call = walletCall(user.wallet_id, c.get("clock"), c.get("merchant"), "registry");
    unwrap(await walletStub(c.env, user.wallet_id).setKycLevel(call, user.kyc_level), { what: "user", param: "external_id" });
  }
  // A change's event is recorded; its deliveries are queued off the response path (the cron retries).
  if (event_id !== null)
    c.executionCtx.waitUntil(c.env.EVENTS.send({ kind: "fan_out", event_id } satisfies WebhookMessage).catch(() => undefined));
  return created ? c.json(ok(shape(user)), 201) : c.json(ok(shape(user)), 200);
}

userRoutes.openapi(embeddedSync, (c) => respondToSync(c, c.req.valid("json"), present));

userRoutes.openapi(quickstartSync, (c) => {
  const { external_user_id, name, ...rest } = c.req.valid("json");
  return respondToSync(c, { external_id: external_user_id, full_name: name, ...rest }, presentQuickstart);
});

userRoutes.openapi(read, async (c) => {
  const { merchant_id, mode } = c.get("merchant");
  const user = await findUser(database(c.env.DB), merchant_id, mode, c.req.valid("param").id);
  if (!user) throw notFound("user", "id");
  return c.json(ok(present(user)), 200);
});

// The contract's types, as clients (and the tests) send and read them.
export type SyncEmbeddedUserRequest = RequestBodyOf<typeof embeddedSync>;
export type SyncEmbeddedUserResponse = ResponseDataOf<typeof embeddedSync, 201>;
export type SyncUserRequest = RequestBodyOf<typeof quickstartSync>;
export type SyncUserResponse = ResponseDataOf<typeof quickstartSync, 201>;
export type GetEmbeddedUserResponse = ResponseDataOf<typeof read, 200>;
