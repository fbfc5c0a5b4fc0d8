import type { Context } from "hono";
import { sha256Hex } from "../crypto/encoding";
import type { RateLimiterDO } from "../rate-limit/rate-limiter-do";
import type { AppEnv } from "./context";
import { ApiError } from "../domain/errors";

/**
 * Runs one login attempt under the throttle of domain/login-throttle.ts, counted exactly by one
 * RateLimiterDO per email address. Real time, not the sandbox clock: the limit protects accounts.
 * `CF-Connecting-IP` is set by Cloudflare's edge and cannot be forged through it; where it is absent
 * (local development), every client shares one address.
 */
export async function throttledLogin<T>(c: Context<AppEnv>, email: string, attempt: () => Promise<T | null>): Promise<T | null> {
  const guard = c.env.RATE_LIMITER.get(
    c.env.RATE_LIMITER.idFromName(`login:${await sha256Hex(email)}`),
  ) as DurableObjectStub<RateLimiterDO>;
  const ip_hash = await sha256Hex(c.req.header("CF-Connecting-IP") ?? "unknown");
  const started_ms = Date.now();
  const started = await guard.beginLogin(started_ms, ip_hash);
  if (!started.allowed) {
    const retry_after_seconds = Math.max(1, Math.ceil((started.retry_at_ms - started_ms) / 1000));
    const who = started.scope === "ip" ? "from your network" : "from new networks";
    throw new ApiError("rate_limited", `Too many failed logins for this email ${who}; retry in ${retry_after_seconds} s.`, undefined, {
      "Retry-After": String(retry_after_seconds),
    });
  }
  const result = await attempt();
  await guard.finishLogin(Date.now(), ip_hash, started.attempt_id!, result !== null);
  return result;
}
