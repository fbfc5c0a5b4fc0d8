import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { requestClock } from "../domain/clock";
import { newId } from "../domain/ids";
import type { AppEnv } from "./context";

/**
 * Per-request context: a fresh `X-Request-Id` on every response (we mint it ourselves rather than
 * trust a client's), and the clock every later piece reads time from: read once, here.
 */
/** The request that causes a change: named on the events the change writes (`request` in each event). */
export function requestCause(c: Context<AppEnv>): { request_id: string; idempotency_key: string | null } {
  return { request_id: c.get("requestId"), idempotency_key: c.req.header("Idempotency-Key") ?? null };
}

export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = newId("request");
  c.set("requestId", requestId);
  c.set("clock", requestClock(Date.now()));
  await next();
  c.res.headers.set("X-Request-Id", requestId);
});
