import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_WAITING_PER_OBJECT, waitingFor, withinCapacity } from "../../src/objects/object-capacity";
import { ApiError } from "../../src/domain/errors";
import { balanceOf, call, createKey, fundedUser, newIntent, signedHeaders, syncUser } from "./helpers";

/**
 * The hot path (docs/architecture.md, "The hot path"): on a warm isolate, a request that moves money or reads a wallet, a hold
 * or a transfer is served by its object alone — no D1 round trip.
 */
describe("a warm isolate", () => {
  it("moves money and reads wallets with the registry tables gone from D1", async () => {
    const { merchant, user_id } = await fundedUser(100_000);
    const other = (await syncUser(merchant.secret_key)).body.data.mazad_user_id;
    const signing = await createKey(merchant, "signing", "sandbox");
    const token = merchant.secret_key;
    // Warm the isolate: the keys and both users' wallets are looked up once.
    await call("GET", `/api/v1/embedded/users/${user_id}/wallet`, { token });
    await call("GET", `/api/v1/embedded/users/${other}/wallet`, { token });
    await call("GET", `/api/v1/embedded/users/${user_id}/wallet`, {
      headers: await signedHeaders(signing.key_id!, signing.secret, "GET", `/api/v1/embedded/users/${user_id}/wallet`),
    });
    // A browser's read of its checkout with the publishable key: that key is cached like the others.
    const intent = await newIntent(token, 1_000);
    const browserRead = () =>
      call("GET", `/api/v1/payment-intents/${intent.id}?client_secret=${intent.client_secret}`, { token: merchant.publishable_key });
    expect((await browserRead()).status).toBe(200);

    const registry = ["api_keys", "users", "wallets", "merchants", "idempotency_keys"];
    for (const table of registry) await env.DB.prepare(`ALTER TABLE ${table} RENAME TO ${table}_away`).run();
    try {
      const key = { "Idempotency-Key": crypto.randomUUID() };
      const hold = await call("POST", "/api/v1/embedded/holds", { token, headers: key, body: { user_id, amount: 5_000, currency: "IQD" } });
      expect(hold.status).toBe(201);
      expect(
        (
          await call("POST", "/api/v1/embedded/holds", { token, headers: key, body: { user_id, amount: 5_000, currency: "IQD" } })
        ).headers.get("Idempotent-Replayed"),
      ).toBe("true");
      expect((await call("GET", `/api/v1/embedded/holds/${hold.body.data.id}`, { token })).status).toBe(200);
      expect((await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/capture`, { token, body: { amount: 4_000 } })).status).toBe(
        200,
      );
      const second = await call("POST", "/api/v1/embedded/holds", { token, body: { user_id, amount: 1_000, currency: "IQD" } });
      expect((await call("POST", `/api/v1/embedded/holds/${second.body.data.id}/release`, { token })).status).toBe(200);
      const transfer = await call("POST", "/api/v1/embedded/transfers", {
        token,
        body: { from_user_id: user_id, to_user_id: other, amount: 2_000, currency: "IQD" },
      });
      expect(transfer.status).toBe(201);
      expect((await call("GET", `/api/v1/embedded/transfers/${transfer.body.data.id}`, { token })).body.data.status).toBe("succeeded");
      expect(
        (await call("POST", `/api/v1/embedded/users/${other}/wallet/top-ups`, { token, body: { amount: 300, currency: "IQD" } })).status,
      ).toBe(201);
      expect((await call("GET", `/api/v1/embedded/users/${user_id}/transactions`, { token })).status).toBe(200);
      expect((await call("GET", "/api/v1/balance", { token })).status).toBe(200);
      const path = `/api/v1/embedded/users/${other}/wallet`;
      const signed = await call("GET", path, { headers: await signedHeaders(signing.key_id!, signing.secret, "GET", path) });
      expect(signed.status).toBe(200);
      expect(signed.body.data.balances[0]).toMatchObject({ available: 2_300 });
      expect((await browserRead()).body.data).toMatchObject({ id: intent.id, status: "requires_payment_method" });
    } finally {
      for (const table of registry) await env.DB.prepare(`ALTER TABLE ${table}_away RENAME TO ${table}`).run();
    }
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 94_000, held: 0 });
    const audit = await call("GET", "/api/v1/ledger/audit?currency=IQD", { token });
    expect(audit.body.data).toMatchObject({ balanced: true, holds_consistent: true });
  });
});

describe("a hot wallet past its capacity", () => {
  it("refuses the request past the bound at once with 429 object_busy and Retry-After, then recovers", async () => {
    const releases: (() => void)[] = [];
    const pending = Array.from({ length: MAX_WAITING_PER_OBJECT }, () =>
      withinCapacity("wal_busy", () => new Promise<void>((resolve) => releases.push(resolve))),
    );
    expect(waitingFor("wal_busy")).toBe(MAX_WAITING_PER_OBJECT);
    const refused = await withinCapacity("wal_busy", async () => "ran").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: "object_busy", status: 429, headers: { "Retry-After": "1" } });
    // Another object is not affected, and the busy one takes work again as soon as a slot frees.
    expect(await withinCapacity("wal_other", async () => "ran")).toBe("ran");
    releases.shift()!();
    await pending[0];
    expect(await withinCapacity("wal_busy", async () => "ran")).toBe("ran");
    for (const release of releases) release();
    await Promise.all(pending);
    expect(waitingFor("wal_busy")).toBe(0);
  });

  it("answers a burst larger than the bound with holds and 429s only, and the money adds up", async () => {
    const { merchant, user_id } = await fundedUser(1_000_000);
    const results = await Promise.all(
      Array.from({ length: MAX_WAITING_PER_OBJECT + 150 }, () =>
        call("POST", "/api/v1/embedded/holds", { token: merchant.secret_key, body: { user_id, amount: 10, currency: "IQD" } }),
      ),
    );
    const held = results.filter((r) => r.status === 201).length;
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe("object_busy");
      expect(r.headers.get("Retry-After")).toBe("1");
    }
    expect(held).toBeGreaterThan(0);
    expect(results.length - held).toBeGreaterThan(0);
    expect(await balanceOf(merchant.secret_key, user_id)).toEqual({
      currency: "IQD",
      available: 1_000_000 - held * 10,
      held: held * 10,
      total: 1_000_000,
    });
  });
});
