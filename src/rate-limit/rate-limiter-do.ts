import { DurableObject } from "cloudflare:workers";

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the oldest counted request leaves the window, epoch ms: a slot frees then. */
  reset_at_ms: number;
}

/**
 * An exact sliding-window limiter: one object per (limit name, merchant), so every request of a
 * merchant, wherever it lands, is counted in one place, one at a time. The log of accepted request
 * times lives in storage, so an eviction does not reset the count.
 */
export class RateLimiterDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL)");
    });
  }

  take(now_ms: number, limit: number, window_ms: number): RateDecision {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM hits WHERE at_ms <= ?", now_ms - window_ms);
    const { count, oldest } = sql.exec<{ count: number; oldest: number | null }>("SELECT count(*) AS count, min(at_ms) AS oldest FROM hits").one();
    if (count >= limit) return { allowed: false, limit, remaining: 0, reset_at_ms: (oldest ?? now_ms) + window_ms };
    sql.exec("INSERT INTO hits (at_ms) VALUES (?)", now_ms);
    return { allowed: true, limit, remaining: limit - count - 1, reset_at_ms: (oldest ?? now_ms) + window_ms };
  }
}
