import { DurableObject } from "cloudflare:workers";
import { decideLogin, KNOWN_IP_MS, LOGIN_WINDOW_MS, type LoginDecision } from "../domain/login-throttle";

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the oldest counted request leaves the window, epoch ms: a slot frees then. */
  reset_at_ms: number;
}

/**
 * Exact limits: one object per (limit name, key) — a merchant, or an email address for logins — so
 * every request it counts, wherever it lands, is counted in one place, one at a time. The logs live
 * in storage, so an eviction does not reset a count.
 */
export class RateLimiterDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS login_failures (id INTEGER PRIMARY KEY, ip_hash TEXT NOT NULL, at_ms INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS login_failures_ip ON login_failures (ip_hash, at_ms);
        CREATE TABLE IF NOT EXISTS login_known_ips (ip_hash TEXT PRIMARY KEY, last_success_ms INTEGER NOT NULL);
      `);
    });
  }

  /** A sliding window of `limit` requests per `window_ms`. */
  take(now_ms: number, limit: number, window_ms: number): RateDecision {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM hits WHERE at_ms <= ?", now_ms - window_ms);
    const { count, oldest } = sql
      .exec<{ count: number; oldest: number | null }>("SELECT count(*) AS count, min(at_ms) AS oldest FROM hits")
      .one();
    if (count >= limit) return { allowed: false, limit, remaining: 0, reset_at_ms: (oldest ?? now_ms) + window_ms };
    sql.exec("INSERT INTO hits (at_ms) VALUES (?)", now_ms);
    return { allowed: true, limit, remaining: limit - count - 1, reset_at_ms: (oldest ?? now_ms) + window_ms };
  }

  /**
   * Starts a login attempt for this object's email from `ip_hash` (domain/login-throttle.ts): if it
   * may go ahead, it is counted as a failure at once and its id returned for finishLogin.
   */
  beginLogin(now_ms: number, ip_hash: string): LoginDecision & { attempt_id?: number } {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM login_failures WHERE at_ms <= ?", now_ms - LOGIN_WINDOW_MS);
    const fromIp = sql
      .exec<{ n: number; oldest: number | null }>(
        "SELECT count(*) AS n, min(at_ms) AS oldest FROM login_failures WHERE ip_hash = ?",
        ip_hash,
      )
      .one();
    const forEmail = sql.exec<{ n: number; oldest: number | null }>("SELECT count(*) AS n, min(at_ms) AS oldest FROM login_failures").one();
    const known = sql
      .exec<{ last_success_ms: number }>("SELECT last_success_ms FROM login_known_ips WHERE ip_hash = ?", ip_hash)
      .toArray()[0];
    const decision = decideLogin(
      {
        failures_from_ip: fromIp.n,
        failures_for_email: forEmail.n,
        ip_known: known !== undefined && known.last_success_ms > now_ms - KNOWN_IP_MS,
        oldest_from_ip_ms: fromIp.oldest,
        oldest_for_email_ms: forEmail.oldest,
      },
      now_ms,
    );
    if (!decision.allowed) return decision;
    const attempt_id = sql
      .exec<{ id: number }>("INSERT INTO login_failures (ip_hash, at_ms) VALUES (?, ?) RETURNING id", ip_hash, now_ms)
      .one().id;
    return { ...decision, attempt_id };
  }

  /** A successful attempt stops counting, clears its IP's failures and makes the IP known. */
  finishLogin(now_ms: number, ip_hash: string, attempt_id: number, succeeded: boolean): void {
    if (!succeeded) return;
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM login_failures WHERE id = ? OR ip_hash = ?", attempt_id, ip_hash);
    sql.exec(
      "INSERT INTO login_known_ips (ip_hash, last_success_ms) VALUES (?, ?) ON CONFLICT (ip_hash) DO UPDATE SET last_success_ms = " +
        "excluded.last_success_ms",
      ip_hash,
      now_ms,
    );
  }
}
