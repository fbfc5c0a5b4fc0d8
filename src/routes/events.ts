import { OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { findEvent, listEvents } from "../db/events";
import { EVENT_TYPES } from "../domain/events";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { notFound } from "../domain/errors";
import { idempotency } from "../http/idempotency";
import { defineRoute, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { EVENT_RETENTION_MS } from "../services/maintenance";
import { eventBody } from "../webhooks/deliver";
import { redeliverEvent } from "../services/events";
import { Pagination, paginationOf, queryInteger, queryOptional, scopedIdParam } from "./schemas";

// ---- Contract ---------------------------------------------------------------------------------

const Event = z
  .object({
    id: z.string().openapi({ example: "evt_9f8e7d6c5b4a3f2e" }),
    object: z.literal("event"),
    type: z.enum(EVENT_TYPES),
    created_at: z.string(),
    livemode: z.boolean(),
    data: z
      .record(z.string(), z.unknown())
      .openapi({ description: "`object`: the snapshot of what changed (and `refund` for refund events)" }),
    request: z
      .object({ id: z.string().nullable(), idempotency_key: z.string().nullable() })
      .openapi({ description: "The request that caused it, when a request did" }),
  })
  .openapi("Event");

const list = defineRoute({
  method: "get",
  path: "/events",
  operationId: "listEvents",
  tags: ["Webhooks"],
  summary: "Your events of the last 30 days, newest first",
  auth: "merchant",
  request: {
    query: z.strictObject({
      type: queryOptional(z.enum(EVENT_TYPES), { type: "string", enum: EVENT_TYPES, description: "Only events of this type" }),
      page: queryInteger({ min: 1, max: 100_000, fallback: 1 }),
      per_page: queryInteger({ min: 1, max: 100, fallback: 20 }),
    }),
  },
  responses: { 200: success(z.object({ events: z.array(Event), pagination: Pagination }), "One page of events") },
});

const read = defineRoute({
  method: "get",
  path: "/events/{id}",
  operationId: "getEvent",
  tags: ["Webhooks"],
  summary: "An event, as its deliveries carry it",
  auth: "merchant",
  request: { params: scopedIdParam("evt_9f8e7d6c5b4a3f2e") },
  responses: { 200: success(Event, "The event") },
});

const redeliver = defineRoute({
  method: "post",
  path: "/events/{id}/redeliver",
  operationId: "redeliverEvent",
  tags: ["Webhooks"],
  summary: "Send an event again: to one endpoint, or to every enabled endpoint subscribed to it",
  auth: "merchant",
  idempotent: true,
  middleware: [idempotency] as const,
  request: {
    params: scopedIdParam("evt_9f8e7d6c5b4a3f2e"),
    body: jsonBody(z.strictObject({ endpoint_id: z.string().min(1).max(64).optional() }), false),
  },
  responses: { 200: success(z.object({ event_id: z.string(), endpoints: z.array(z.string()) }), "Queued for delivery") },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const eventRoutes = new OpenAPIHono<AppEnv>();

eventRoutes.openapi(list, async (c) => {
  const query = c.req.valid("query");
  const since_ms = c.get("clock").now_ms() - EVENT_RETENTION_MS;
  const page = await listEvents(
    database(c.env.DB),
    c.get("merchant"),
    { type: query.type, since_ms },
    query.per_page,
    (query.page - 1) * query.per_page,
  );
  return c.json(
    ok({
      events: page.rows.map((row) => eventBody(row) as z.infer<typeof Event>),
      pagination: paginationOf(query, page.total),
    }),
    200,
  );
});

eventRoutes.openapi(read, async (c) => {
  const event = await findEvent(database(c.env.DB), c.req.valid("param").id, c.get("merchant"));
  if (!event) throw notFound("event", "id");
  return c.json(ok(eventBody(event) as z.infer<typeof Event>), 200);
});

eventRoutes.openapi(redeliver, async (c) => {
  const answer = await redeliverEvent(
    database(c.env.DB),
    c.env.WEBHOOKS,
    c.get("merchant"),
    c.req.valid("param").id,
    c.req.valid("json").endpoint_id,
  );
  return c.json(ok(answer), 200);
});

// The contract's types, as clients (and the tests) send and read them.
export type ListEventsResponse = ResponseDataOf<typeof list, 200>;
export type GetEventResponse = ResponseDataOf<typeof read, 200>;
export type RedeliverEventRequest = RequestBodyOf<typeof redeliver>;
export type RedeliverEventResponse = ResponseDataOf<typeof redeliver, 200>;
