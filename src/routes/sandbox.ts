import { OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { advanceSandboxClock, readSandboxClockOffset } from "../db/sandbox-clock";
import { requestClock, sandboxNowMs, toIsoSeconds, withSandboxOffset, type Clock } from "../domain/clock";
import { requireSandbox } from "../http/auth-merchant";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { idempotency } from "../http/idempotency";
import { forgetMerchantKeys } from "../http/key-cache";
import { defineRoute, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { fireDueCheckouts, fireDueHolds, fireDuePayouts } from "../services/sandbox-clock";

// ---- Contract ---------------------------------------------------------------------------------

/** Up to a year per call: enough to pass any expiry or the 90-day refund window. */
const MAX_ADVANCE_SECONDS = 366 * 24 * 3600;

const SandboxClock = z
  .object({
    now: z.string().openapi({ description: "Your sandbox's time", example: "2026-03-15T10:30:00Z" }),
    offset_seconds: z.number().int().openapi({ description: "How far it runs ahead of real time" }),
  })
  .openapi("SandboxClock");

const read = defineRoute({
  method: "get",
  path: "/sandbox/clock",
  operationId: "getSandboxClock",
  tags: ["Sandbox"],
  summary: "Sandbox only: this merchant's sandbox time",
  auth: "merchant",
  middleware: [requireSandbox] as const,
  responses: { 200: success(SandboxClock, "The sandbox time") },
});

const advance = defineRoute({
  method: "post",
  path: "/sandbox/clock",
  operationId: "advanceSandboxClock",
  tags: ["Sandbox"],
  summary: "Sandbox only: move this merchant's clock forward; what came due fires (expiries, auto-voids, their events)",
  auth: "merchant",
  idempotent: true,
  middleware: [requireSandbox, idempotency] as const,
  request: { body: jsonBody(z.strictObject({ advance_seconds: z.number().int().min(1).max(MAX_ADVANCE_SECONDS) })) },
  responses: { 200: success(SandboxClock, "The new sandbox time") },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const sandboxRoutes = new OpenAPIHono<AppEnv>();

/** The instant this request arrived, in real time (the request's clock carries the offset it was authenticated with). */
const realNowMs = (clock: Clock) => clock.now_ms() - clock.offset_ms;
const present = (real_now_ms: number, offset_seconds: number) => ({
  now: toIsoSeconds(sandboxNowMs(real_now_ms, offset_seconds)),
  offset_seconds,
});

sandboxRoutes.openapi(read, async (c) => {
  const offset_seconds = await readSandboxClockOffset(database(c.env.DB), c.get("merchant").merchant_id);
  return c.json(ok(present(realNowMs(c.get("clock")), offset_seconds)), 200);
});

sandboxRoutes.openapi(advance, async (c) => {
  const merchant = c.get("merchant");
  const offset_seconds = await advanceSandboxClock(database(c.env.DB), merchant.merchant_id, c.req.valid("json").advance_seconds);
  // Keys carry the merchant's clock: this isolate reads it afresh now, others within the key cache's lifetime.
  forgetMerchantKeys(merchant.merchant_id);
  const real_now_ms = realNowMs(c.get("clock"));
  const moved = withSandboxOffset(requestClock(real_now_ms), offset_seconds);
  await Promise.all([
    fireDueCheckouts(c.env, merchant, moved, c.get("requestId")),
    fireDueHolds(c.env, merchant, moved, c.get("requestId")),
    fireDuePayouts(c.env, merchant, moved, c.get("requestId")),
  ]);
  return c.json(ok(present(real_now_ms, offset_seconds)), 200);
});

// The contract's types, as clients (and the tests) send and read them.
export type GetSandboxClockResponse = ResponseDataOf<typeof read, 200>;
export type AdvanceSandboxClockRequest = RequestBodyOf<typeof advance>;
export type AdvanceSandboxClockResponse = ResponseDataOf<typeof advance, 200>;
