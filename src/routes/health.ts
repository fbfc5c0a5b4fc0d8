import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../http/context";

const Health = z.object({ status: z.literal("ok") }).openapi("Health");

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Tools"],
  summary: "Liveness: 200 once the worker is ready",
  responses: { 200: { description: "Ready", content: { "application/json": { schema: Health } } } },
});

export const healthRoutes = new OpenAPIHono<AppEnv>().openapi(health, (c) => c.json({ status: "ok" as const }, 200));
