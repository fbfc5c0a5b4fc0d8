import { createMiddleware } from "hono/factory";
import type { RateLimiterDO } from "../rate-limit/rate-limiter-do";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/**
 * Per-merchant rate limit backed by one RateLimiterDO per (name, merchant): exact across isolates
 * and locations. Real time, not the sandbox clock: limits protect real capacity.
 * Sets X-RateLimit-Limit/Remaining/Reset (Unix seconds); a refusal is 429 with Retry-After.
 */
export function rateLimit(options: { name: string; limit: number; window_seconds: number }) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { merchant_id } = c.get("merchant");
    const stub = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(`${options.name}:${merchant_id}`)) as DurableObjectStub<RateLimiterDO>;
    const now_ms = Date.now();
    const decision = await stub.take(now_ms, options.limit, options.window_seconds * 1000);
    const headers = {
      "X-RateLimit-Limit": String(decision.limit),
      "X-RateLimit-Remaining": String(decision.remaining),
      "X-RateLimit-Reset": String(Math.ceil(decision.reset_at_ms / 1000)),
    };
    if (!decision.allowed) {
      const retry_after_seconds = Math.max(1, Math.ceil((decision.reset_at_ms - now_ms) / 1000));
      throw new ApiError("rate_limited", `Rate limit of ${options.limit} requests per ${options.window_seconds} s reached; retry in ${retry_after_seconds} s.`, undefined, {
        ...headers,
        "Retry-After": String(retry_after_seconds),
      });
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  });
}
