import { DurableObject } from "cloudflare:workers";

/**
 * Remembers HMAC signatures accepted while their timestamp is inside the window, so a replay is
 * refused (docs/reference/authentication.md, "HMAC request signing"). One object per signing key
 * and first hex digit of the signature: the check is
 * exact wherever the request lands, never a D1 round trip, and one key's traffic is spread over
 * sixteen objects. Expired signatures are pruned by the alarm.
 */
export class ReplayGuardDO extends DurableObject<Env> {
  private prune_scheduled = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS seen (signature TEXT PRIMARY KEY, expires_at_ms INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS seen_expiry ON seen (expires_at_ms);
      `);
    });
  }

  /** True the first time a signature is seen before `expires_at_ms`; false for a replay. */
  recordOnce(signature: string, expires_at_ms: number, now_ms: number): boolean {
    const sql = this.ctx.storage.sql;
    const previous = sql.exec<{ expires_at_ms: number }>("SELECT expires_at_ms FROM seen WHERE signature = ?", signature).toArray()[0];
    if (previous && previous.expires_at_ms > now_ms) return false;
    sql.exec("INSERT OR REPLACE INTO seen (signature, expires_at_ms) VALUES (?, ?)", signature, expires_at_ms);
    if (!this.prune_scheduled) {
      void this.ctx.storage.setAlarm(expires_at_ms);
      this.prune_scheduled = true;
    }
    return true;
  }

  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM seen WHERE expires_at_ms <= ?", Date.now());
    const next = sql.exec<{ t: number | null }>("SELECT min(expires_at_ms) AS t FROM seen").one().t;
    this.prune_scheduled = next !== null;
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}
