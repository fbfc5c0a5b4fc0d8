import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { advanceSandboxClock } from "../db/sandbox-clock";
import { offsetClock, systemClock, toIsoSeconds } from "../domain/clock";
import { requireSandbox } from "../http/auth-merchant";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { errors, jsonBody, MERCHANT_AUTH, success } from "../http/openapi";

// ---- Contract ---------------------------------------------------------------------------------

/** Up to a year per call: enough to pass any expiry or the 90-day refund window. */
const MAX_ADVANCE_SECONDS = 366 * 24 * 3600;

const clock = createRoute({
  method: "post",
  path: "/sandbox/clock",
  tags: ["Sandbox"],
  summary: "Sandbox only: move this merchant's clock forward (expiries, refund windows)",
  security: MERCHANT_AUTH,
  middleware: [requireSandbox] as const,
  request: { body: jsonBody(z.strictObject({ advance_seconds: z.number().int().min(1).max(MAX_ADVANCE_SECONDS) })) },
  responses: {
    200: success(z.object({ now: z.string(), offset_seconds: z.number().int() }).openapi("SandboxClock"), "The new sandbox time"),
    ...errors(400, 401, 403, 415, 422),
  },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const sandboxRoutes = new OpenAPIHono<AppEnv>();

sandboxRoutes.openapi(clock, async (c) => {
  const offset_seconds = await advanceSandboxClock(database(c.env.DB), c.get("merchant").merchant_id, c.req.valid("json").advance_seconds);
  return c.json(ok({ now: toIsoSeconds(offsetClock(systemClock, offset_seconds).now_ms()), offset_seconds }), 200);
});
