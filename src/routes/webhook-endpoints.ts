import { OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { deleteEndpoint, listDeliveries, listEndpoints } from "../db/webhooks";
import { toIsoSeconds } from "../domain/clock";
import { EVENT_TYPES } from "../domain/events";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { notFound } from "../domain/errors";
import { idempotency } from "../http/idempotency";
import { defineRoute, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { changeEndpoint, createEndpoint, presentEndpoint, requireEndpoint, rotateEndpointSecret } from "../services/webhook-endpoints";
import { Pagination, paginationOf, queryInteger, scopedIdParam } from "./schemas";

// ---- Contract ---------------------------------------------------------------------------------

const url = z.string().min(1).max(2048).openapi({
  example: "https://shop.example/webhooks/mazad",
  description: "https in live mode (never a private address); http and localhost are fine in sandbox",
});
const eventsList = z
  .array(z.enum(["*", ...EVENT_TYPES]))
  .min(1)
  .max(EVENT_TYPES.length)
  .openapi({ example: ["payment.captured", "payment.refunded"], description: 'Event types to receive, or ["*"] for all' });
const description = z.string().trim().min(1).max(500);

const Endpoint = z
  .object({
    id: z.string().openapi({ example: "we_9f8e7d6c5b4a3f2e" }),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    status: z.enum(["enabled", "disabled"]),
    disabled_reason: z.string().nullable().openapi({ description: "Why it was disabled: by you, or by the receiver answering 410 Gone" }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("WebhookEndpoint");

const RevealedEndpoint = Endpoint.extend({
  secret: z.string().openapi({ example: "whsec_…", description: "Signs every delivery (Standard Webhooks). Shown once" }),
}).openapi("WebhookEndpointWithSecret");

const Delivery = z
  .object({
    id: z.string().openapi({ example: "whd_9f8e7d6c5b4a3f2e" }),
    event_id: z.string(),
    attempt: z.number().int(),
    outcome: z.enum(["succeeded", "retrying", "failed", "skipped", "dead_lettered"]),
    response_status: z.number().int().nullable(),
    latency_ms: z.number().int().nullable(),
    response_excerpt: z.string().nullable().openapi({ description: "At most 1 KB of the answer, or why there was none" }),
    attempted_at: z.string(),
    next_retry_at: z.string().nullable(),
  })
  .openapi("WebhookDelivery");

const endpointParams = scopedIdParam("we_9f8e7d6c5b4a3f2e");

const create = defineRoute({
  method: "post",
  path: "/webhook-endpoints",
  operationId: "createWebhookEndpoint",
  tags: ["Webhooks"],
  summary: "Add an endpoint that receives events; its signing secret is shown once",
  auth: "merchant",
  idempotent: true,
  middleware: [idempotency] as const,
  request: { body: jsonBody(z.strictObject({ url, events: eventsList, description: description.optional() })) },
  responses: { 201: success(RevealedEndpoint, "Endpoint added") },
});

const list = defineRoute({
  method: "get",
  path: "/webhook-endpoints",
  operationId: "listWebhookEndpoints",
  tags: ["Webhooks"],
  summary: "Your endpoints",
  auth: "merchant",
  responses: { 200: success(z.object({ webhook_endpoints: z.array(Endpoint) }), "Endpoints, newest first") },
});

const read = defineRoute({
  method: "get",
  path: "/webhook-endpoints/{id}",
  operationId: "getWebhookEndpoint",
  tags: ["Webhooks"],
  summary: "An endpoint",
  auth: "merchant",
  request: { params: endpointParams },
  responses: { 200: success(Endpoint, "The endpoint") },
});

const update = defineRoute({
  method: "patch",
  path: "/webhook-endpoints/{id}",
  operationId: "updateWebhookEndpoint",
  tags: ["Webhooks"],
  summary: "Change an endpoint's URL, events or description, or disable and enable it",
  auth: "merchant",
  request: {
    params: endpointParams,
    body: jsonBody(
      z.strictObject({
        url: url.optional(),
        events: eventsList.optional(),
        description: description.nullable().optional(),
        disabled: z.boolean().optional(),
      }),
    ),
  },
  responses: { 200: success(Endpoint, "The endpoint") },
});

const remove = defineRoute({
  method: "delete",
  path: "/webhook-endpoints/{id}",
  operationId: "deleteWebhookEndpoint",
  tags: ["Webhooks"],
  summary: "Delete an endpoint: deliveries still queued for it are dropped",
  auth: "merchant",
  request: { params: endpointParams },
  responses: { 200: success(Endpoint, "The deleted endpoint") },
});

const rotate = defineRoute({
  method: "post",
  path: "/webhook-endpoints/{id}/rotate-secret",
  operationId: "rotateWebhookSecret",
  tags: ["Webhooks"],
  summary: "A new signing secret (shown once); the old one keeps signing beside it for 24 hours",
  auth: "merchant",
  idempotent: true,
  middleware: [idempotency] as const,
  request: { params: endpointParams },
  responses: { 200: success(RevealedEndpoint.extend({ previous_secret_expires_at: z.string() }), "Rotated") },
});

const deliveries = defineRoute({
  method: "get",
  path: "/webhook-endpoints/{id}/deliveries",
  operationId: "listWebhookDeliveries",
  tags: ["Webhooks"],
  summary: "Every delivery attempt to an endpoint, newest first: time, status code, latency, next retry",
  auth: "merchant",
  request: {
    params: endpointParams,
    query: z.strictObject({
      page: queryInteger({ min: 1, max: 100_000, fallback: 1 }),
      per_page: queryInteger({ min: 1, max: 100, fallback: 20 }),
    }),
  },
  responses: { 200: success(z.object({ deliveries: z.array(Delivery), pagination: Pagination }), "Attempts") },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const webhookEndpointRoutes = new OpenAPIHono<AppEnv>();

const ENDPOINT = { what: "webhook endpoint", param: "id" };
const present = presentEndpoint;

webhookEndpointRoutes.openapi(create, async (c) => {
  const input = c.req.valid("json");
  const { row, secret } = await createEndpoint(database(c.env.DB), c.env.DATA_ENCRYPTION_KEY, c.get("merchant"), {
    ...input,
    now_ms: c.get("clock").now_ms(),
  });
  return c.json(ok({ ...present(row), secret }), 201);
});

webhookEndpointRoutes.openapi(list, async (c) => {
  const rows = await listEndpoints(database(c.env.DB), c.get("merchant"));
  return c.json(ok({ webhook_endpoints: rows.map(present) }), 200);
});

webhookEndpointRoutes.openapi(read, async (c) =>
  c.json(ok(present(await requireEndpoint(database(c.env.DB), c.req.valid("param").id, c.get("merchant")))), 200),
);

webhookEndpointRoutes.openapi(update, async (c) => {
  const row = await changeEndpoint(database(c.env.DB), c.req.valid("param").id, c.get("merchant"), {
    ...c.req.valid("json"),
    now_ms: c.get("clock").now_ms(),
  });
  return c.json(ok(present(row)), 200);
});

webhookEndpointRoutes.openapi(remove, async (c) => {
  const row = await deleteEndpoint(database(c.env.DB), c.req.valid("param").id, c.get("merchant"));
  if (!row) throw notFound(ENDPOINT.what, ENDPOINT.param);
  return c.json(ok(present(row)), 200);
});

webhookEndpointRoutes.openapi(rotate, async (c) => {
  const db = database(c.env.DB);
  const { row, secret, previous_secret_expires_at } = await rotateEndpointSecret(
    db,
    c.env.DATA_ENCRYPTION_KEY,
    c.req.valid("param").id,
    c.get("merchant"),
    c.get("clock").now_ms(),
  );
  return c.json(ok({ ...present(row), secret, previous_secret_expires_at }), 200);
});

webhookEndpointRoutes.openapi(deliveries, async (c) => {
  const id = c.req.valid("param").id;
  const query = c.req.valid("query");
  await requireEndpoint(database(c.env.DB), id, c.get("merchant"));
  const page = await listDeliveries(database(c.env.DB), id, query.per_page, (query.page - 1) * query.per_page);
  const rows = page.rows.map((r) => ({
    id: r.id,
    event_id: r.event_id,
    attempt: r.attempt,
    outcome: r.outcome,
    response_status: r.response_status,
    latency_ms: r.latency_ms,
    response_excerpt: r.response_excerpt,
    attempted_at: toIsoSeconds(r.attempted_at_ms),
    next_retry_at: r.next_retry_at_ms === null ? null : toIsoSeconds(r.next_retry_at_ms),
  }));
  return c.json(
    ok({
      deliveries: rows,
      pagination: paginationOf(query, page.total),
    }),
    200,
  );
});

// The contract's types, as clients (and the tests) send and read them.
export type CreateWebhookEndpointRequest = RequestBodyOf<typeof create>;
export type CreateWebhookEndpointResponse = ResponseDataOf<typeof create, 201>;
export type ListWebhookEndpointsResponse = ResponseDataOf<typeof list, 200>;
export type GetWebhookEndpointResponse = ResponseDataOf<typeof read, 200>;
export type UpdateWebhookEndpointRequest = RequestBodyOf<typeof update>;
export type UpdateWebhookEndpointResponse = ResponseDataOf<typeof update, 200>;
export type DeleteWebhookEndpointResponse = ResponseDataOf<typeof remove, 200>;
export type RotateWebhookSecretResponse = ResponseDataOf<typeof rotate, 200>;
export type ListWebhookDeliveriesResponse = ResponseDataOf<typeof deliveries, 200>;
