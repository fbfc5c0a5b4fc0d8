import { createMiddleware } from "hono/factory";
import { requestClock } from "../domain/clock";
import { newId } from "../domain/ids";
import type { AppEnv } from "./context";

/**
 * Per-request context: a fresh `X-Request-Id` on every response (we mint it ourselves rather than
 * trust a client's), and the clock every later piece reads time from: read once, here.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = newId("request");
  c.set("requestId", requestId);
  c.set("clock", requestClock(Date.now()));
  await next();
  c.res.headers.set("X-Request-Id", requestId);
});
