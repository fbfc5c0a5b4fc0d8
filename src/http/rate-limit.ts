import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { RateLimiterDO } from "../rate-limit/rate-limiter-do";
import type { AppEnv } from "./context";
import { ApiError } from "../domain/errors";

/**
 * A rate limit backed by one RateLimiterDO per (name, key): exact across isolates and locations.
 * The key defaults to the calling merchant. Real time, not the sandbox clock: limits protect real
 * capacity. Sets X-RateLimit-Limit/Remaining/Reset (Unix seconds); a refusal is 429 with Retry-After.
 */
export function rateLimit(options: { name: string; limit: number; window_seconds: number; key?: (c: Context<AppEnv>) => Promise<string> }) {
  const keyOf = options.key ?? (async (c: Context<AppEnv>) => c.get("merchant").merchant_id);
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = await keyOf(c);
    const stub = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(`${options.name}:${key}`)) as DurableObjectStub<RateLimiterDO>;
    const now_ms = Date.now();
    const decision = await stub.take(now_ms, options.limit, options.window_seconds * 1000);
    const headers = {
      "X-RateLimit-Limit": String(decision.limit),
      "X-RateLimit-Remaining": String(decision.remaining),
      "X-RateLimit-Reset": String(Math.ceil(decision.reset_at_ms / 1000)),
    };
    if (!decision.allowed) {
      const retry_after_seconds = Math.max(1, Math.ceil((decision.reset_at_ms - now_ms) / 1000));
      throw new ApiError(
        "rate_limited",
        `Rate limit of ${options.limit} requests per ${options.window_seconds} s reached; retry in ${retry_after_seconds} s.`,
        undefined,
        {
          ...headers,
          "Retry-After": String(retry_after_seconds),
        },
      );
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  });
}
