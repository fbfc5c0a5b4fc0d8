import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { walletObject } from "../../src/wallet/wallet-do";
import { balanceOf, call, fundedUser } from "./helpers";

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

describe("hold expiry", () => {
  it("one alarm multiplexes many holds: it is set for the earliest expiry and releases each at its time", async () => {
    const { merchant, user_id, wallet_id } = await fundedUser(10_000);
    const hold = (amount: number, expires_at: string) =>
      call("POST", "/api/v1/embedded/holds", { token: merchant.secret_key, body: { user_id, amount, currency: "IQD", expires_at } });
    const soon = await hold(1_000, inSeconds(120));
    const later = await hold(2_000, inSeconds(600));
    const last = await hold(3_000, inSeconds(3_600));
    const stub = walletObject(env, wallet_id);
    // Once the holds' events have gone to the queue, the alarm is the earliest expiry.
    await expect
      .poll(() => runInDurableObject(stub, (_instance, state) => state.storage.getAlarm()), { timeout: 5_000 })
      .toBe(Date.parse(soon.body.data.expires_at));

    // The sandbox clock moves 10 minutes forward; the alarm fires and expires the two holds now due.
    const advanced = await call("POST", "/api/v1/sandbox/clock", { token: merchant.secret_key, body: { advance_seconds: 601 } });
    expect(advanced.status).toBe(200);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await runInDurableObject(stub, async (_instance, state) => ({
      alarm_ms: await state.storage.getAlarm(),
      statuses: state.storage.sql.exec<{ id: string; status: string }>("SELECT id, status FROM holds ORDER BY expires_at_ms").toArray(),
    }));
    expect(after.statuses.map((h) => h.status)).toEqual(["expired", "expired", "active"]);
    expect(after.statuses[1]!.id).toBe(later.body.data.id);
    // The next alarm is the remaining hold's expiry, in real time (the merchant's clock runs 601 s ahead).
    expect(after.alarm_ms).toBe(Date.parse(last.body.data.expires_at) - 601_000);
    expect(await balanceOf(merchant.secret_key, user_id)).toEqual({ currency: "IQD", available: 7_000, held: 3_000, total: 10_000 });

    const entries = await call("GET", `/api/v1/embedded/users/${user_id}/transactions?type=release`, { token: merchant.secret_key });
    expect(entries.body.data.transactions.map((t: any) => t.amount).sort()).toEqual([1_000, 2_000]);
    expect(entries.body.data.transactions[0].description).toBe("Hold expired");
    const read = await call("GET", `/api/v1/embedded/holds/${soon.body.data.id}`, { token: merchant.secret_key });
    expect(read.body.data.status).toBe("expired");
  });

  it("a sandbox clock move expires what came due at once, with its hold.expired event, before anything touches the wallet", async () => {
    const { merchant, user_id, wallet_id } = await fundedUser(5_000);
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 2_000, currency: "IQD", expires_at: inSeconds(3_600) },
    });
    const moved = await call("POST", "/api/v1/sandbox/clock", { token: merchant.secret_key, body: { advance_seconds: 7_200 } });
    expect(moved.status).toBe(200);
    // Straight from storage: no request has read the wallet since the move, and its alarm is an hour away in real time.
    const stored = await runInDurableObject(walletObject(env, wallet_id), (_instance, state) => ({
      hold: state.storage.sql.exec<{ status: string }>("SELECT status FROM holds WHERE id = ?", hold.body.data.id).one().status,
      events: state.storage.sql.exec<{ request_id: string | null }>("SELECT request_id FROM events WHERE type = 'hold.expired'").toArray(),
    }));
    // The event names the request that moved the clock.
    expect(stored).toEqual({ hold: "expired", events: [{ request_id: moved.headers.get("X-Request-Id") }] });
  });

  it("never shows a hold past its expiry as held, even before the alarm runs", async () => {
    const { merchant, user_id } = await fundedUser(5_000);
    await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 5_000, currency: "IQD", expires_at: inSeconds(60) },
    });
    await call("POST", "/api/v1/sandbox/clock", { token: merchant.secret_key, body: { advance_seconds: 61 } });
    expect(await balanceOf(merchant.secret_key, user_id)).toEqual({ currency: "IQD", available: 5_000, held: 0, total: 5_000 });
  });

  it("cannot capture an expired hold", async () => {
    const { merchant, user_id } = await fundedUser(5_000);
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 1_000, currency: "IQD", expires_at: inSeconds(60) },
    });
    await call("POST", "/api/v1/sandbox/clock", { token: merchant.secret_key, body: { advance_seconds: 120 } });
    const res = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/capture`, { token: merchant.secret_key });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("hold_not_active");
  });

  it("rejects an expiry in the past or beyond 90 days with 422", async () => {
    const { merchant, user_id } = await fundedUser(5_000);
    for (const expires_at of [inSeconds(-1), inSeconds(91 * 86_400), "tomorrow"]) {
      const res = await call("POST", "/api/v1/embedded/holds", {
        token: merchant.secret_key,
        body: { user_id, amount: 1_000, currency: "IQD", expires_at },
      });
      expect(res.status, expires_at).toBe(422);
      expect(res.body.error.param).toBe("expires_at");
    }
  });

  it("replays a hold whose expiry has since passed: the retry gets the hold it placed, not a refusal", async () => {
    const { merchant, user_id } = await fundedUser(5_000);
    const body = { user_id, amount: 1_000, currency: "IQD", expires_at: inSeconds(60) };
    const headers = { "Idempotency-Key": `late-retry-${crypto.randomUUID()}` };
    const first = await call("POST", "/api/v1/embedded/holds", { token: merchant.secret_key, headers, body });
    expect(first.status).toBe(201);
    await call("POST", "/api/v1/sandbox/clock", { token: merchant.secret_key, body: { advance_seconds: 120 } });
    const retry = await call("POST", "/api/v1/embedded/holds", { token: merchant.secret_key, headers, body });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(retry.body.data.id).toBe(first.body.data.id);
    // A new request with that expiry is judged now: refused, naming the field.
    const fresh = await call("POST", "/api/v1/embedded/holds", { token: merchant.secret_key, body });
    expect(fresh.status).toBe(422);
    expect(fresh.body.error).toMatchObject({ code: "parameter_invalid", param: "expires_at" });
    expect(fresh.body.error.message).toContain("sandbox clock reads");
  });
});
