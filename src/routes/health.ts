import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../http/context";
import { defineRoute } from "../http/openapi";

const Health = z.object({ status: z.literal("ok") }).openapi("Health");

const health = defineRoute({
  method: "get",
  path: "/health",
  operationId: "health",
  tags: ["Tools"],
  summary: "Liveness: 200 once the worker is ready",
  auth: "public",
  responses: { 200: { description: "Ready", content: { "application/json": { schema: Health } } } },
});

export const healthRoutes = new OpenAPIHono<AppEnv>().openapi(health, (c) => c.json({ status: "ok" as const }, 200));

// Browsers ask every page's origin for an icon; an empty answer beats a JSON 404 in their console.
healthRoutes.get("/favicon.ico", (c) => c.body(null, 204, { "Cache-Control": "public, max-age=86400" }));
