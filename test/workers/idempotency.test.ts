import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, newMerchant, countRows } from "./helpers";

const SYNC = "/api/v1/embedded/users/sync";

const usersWithExternalId = (external_id: string) => countRows("SELECT count(*) AS n FROM users WHERE external_id = ?", external_id);

describe("Idempotency-Key", () => {
  it("replays the stored status and body for the same key and body", async () => {
    const merchant = await newMerchant();
    const external_id = `idem_${crypto.randomUUID()}`;
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const first = await call("POST", SYNC, { token: merchant.secret_key, headers, body: { external_id, full_name: "A" } });
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const second = await call("POST", SYNC, { token: merchant.secret_key, headers, body: { external_id, full_name: "A" } });
    expect(second.status).toBe(201);
    expect(second.headers.get("Idempotent-Replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("X-Request-Id")).not.toBe(first.headers.get("X-Request-Id"));
  });

  it("treats one request spelled differently (key order, whitespace, 100 vs 1e2) as the same request", async () => {
    const merchant = await newMerchant();
    const headers = { "Idempotency-Key": `spelling-${crypto.randomUUID()}`, "Content-Type": "application/json" };
    const send = (rawBody: string) => call("POST", SYNC, { token: merchant.secret_key, headers, rawBody });
    const first = await send('{"external_id":"spelled","full_name":"A","metadata":{"n":100,"a":"x"}}');
    expect(first.status).toBe(201);
    for (const spelling of [
      '{ "metadata": {"a":"x", "n": 1e2}, "full_name": "A", "external_id": "spelled" }',
      '{"full_name":"A","external_id":"spelled","metadata":{"n":100.0,"a":"x"}}',
    ]) {
      const again = await send(spelling);
      expect(again.status, spelling).toBe(201);
      expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    }
    expect((await send('{"external_id":"spelled","full_name":"B","metadata":{"n":100,"a":"x"}}')).status).toBe(422);
  });

  it("treats reordered metadata on a checkout session as the same request", async () => {
    const merchant = await newMerchant();
    await call("POST", SYNC, { token: merchant.secret_key, body: { external_id: "buyer", full_name: "Buyer" } });
    const headers = { "Idempotency-Key": `session-${crypto.randomUUID()}` };
    const session = (metadata: Record<string, string>) =>
      call("POST", "/api/v1/checkout/sessions", {
        token: merchant.secret_key,
        headers,
        body: {
          external_user_id: "buyer",
          amount: 500,
          currency: "IQD",
          success_url: "https://shop.example/ok",
          cancel_url: "https://shop.example/no",
          metadata,
        },
      });
    const first = await session({ a: "1", b: "2" });
    expect(first.status).toBe(201);
    const again = await session({ b: "2", a: "1" });
    expect(again.status).toBe(201);
    expect(again.body.data.id).toBe(first.body.data.id);
  });

  it("answers the same key with another body with 422 idempotency_key_reused", async () => {
    const merchant = await newMerchant();
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    await call("POST", SYNC, { token: merchant.secret_key, headers, body: { external_id: "a1", full_name: "A" } });
    const res = await call("POST", SYNC, { token: merchant.secret_key, headers, body: { external_id: "a2", full_name: "A" } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "idempotency_key_reused", param: "Idempotency-Key" });
    expect(await usersWithExternalId("a2")).toBe(0);
  });

  it("executes exactly one of 20 identical racing requests", async () => {
    const merchant = await newMerchant();
    const external_id = `race_${crypto.randomUUID()}`;
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        call("POST", SYNC, { token: merchant.secret_key, headers, body: { external_id, full_name: "Racer" } }),
      ),
    );
    const executed = results.filter((r) => r.status === 201 && r.headers.get("Idempotent-Replayed") === null);
    expect(executed).toHaveLength(1);
    for (const r of results) {
      if (r.status === 409) expect(r.body.error.code).toBe("idempotency_key_in_use");
      else expect(r.body.data.mazad_user_id).toBe(executed[0]!.body.data.mazad_user_id);
    }
    expect(await usersWithExternalId(external_id)).toBe(1);
  });

  it("scopes keys to the merchant: another merchant may use the same key", async () => {
    const a = await newMerchant();
    const b = await newMerchant();
    const headers = { "Idempotency-Key": "order-1042" };
    const first = await call("POST", SYNC, { token: a.secret_key, headers, body: { external_id: "x", full_name: "A" } });
    const second = await call("POST", SYNC, { token: b.secret_key, headers, body: { external_id: "x", full_name: "A" } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("Idempotent-Replayed")).toBeNull();
    expect(second.body.data.mazad_user_id).not.toBe(first.body.data.mazad_user_id);
  });

  it("accepts keys up to 255 characters and rejects longer ones with 422", async () => {
    const merchant = await newMerchant();
    const ok = await call("POST", SYNC, {
      token: merchant.secret_key,
      headers: { "Idempotency-Key": "k".repeat(255) },
      body: { external_id: "long1", full_name: "A" },
    });
    expect(ok.status).toBe(201);
    const tooLong = await call("POST", SYNC, {
      token: merchant.secret_key,
      headers: { "Idempotency-Key": "k".repeat(256) },
      body: { external_id: "long2", full_name: "A" },
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error).toMatchObject({ code: "idempotency_key_invalid", param: "Idempotency-Key" });
    expect(await usersWithExternalId("long2")).toBe(0);
  });

  it("keeps a key 24 hours: after that the same key runs the request afresh", async () => {
    const merchant = await newMerchant();
    const key = crypto.randomUUID();
    const body = { external_id: `exp_${crypto.randomUUID()}`, full_name: "A" };
    await call("POST", SYNC, { token: merchant.secret_key, headers: { "Idempotency-Key": key }, body });
    // Age the stored key past its retention, as 24 hours would.
    await env.DB.prepare("UPDATE idempotency_keys SET expires_at_ms = ? WHERE key = ?")
      .bind(Date.now() - 1, key)
      .run();
    const again = await call("POST", SYNC, { token: merchant.secret_key, headers: { "Idempotency-Key": key }, body });
    expect(again.status).toBe(200);
    expect(again.headers.get("Idempotent-Replayed")).toBeNull();
    const stored = await env.DB.prepare("SELECT expires_at_ms - locked_until_ms AS retain FROM idempotency_keys WHERE key = ?")
      .bind(key)
      .first<{ retain: number }>();
    expect(stored!.retain).toBe(24 * 3600 * 1000 - 2 * 60 * 1000);
  });

  it("keeps no answer for a request refused before it ran: a corrected retry with the same key runs", async () => {
    const merchant = await newMerchant();
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const refused = await call("POST", SYNC, {
      token: merchant.secret_key,
      headers,
      body: { external_id: "p", full_name: "A", phone: "07701234567" },
    });
    expect(refused.status).toBe(422);
    const malformed = await call("POST", SYNC, {
      token: merchant.secret_key,
      headers: { ...headers, "Content-Type": "application/json" },
      rawBody: '{"external_id": "p",',
    });
    expect(malformed.status).toBe(400);
    const corrected = await call("POST", SYNC, {
      token: merchant.secret_key,
      headers,
      body: { external_id: "p", full_name: "A", phone: "+9647701234567" },
    });
    expect(corrected.status).toBe(201);
    expect(corrected.headers.get("Idempotent-Replayed")).toBeNull();
    // From then on the key means the request that ran.
    const replay = await call("POST", SYNC, {
      token: merchant.secret_key,
      headers,
      body: { external_id: "p", full_name: "A", phone: "+9647701234567" },
    });
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    const other = await call("POST", SYNC, { token: merchant.secret_key, headers, body: { external_id: "p", full_name: "B" } });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
  });

  it("keeps no answer for a webhook endpoint whose URL breaks a rule: the corrected request runs under the same key", async () => {
    const merchant = await newMerchant();
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const refused = await call("POST", "/api/v1/webhook-endpoints", {
      token: merchant.secret_key,
      headers,
      body: { url: "ftp://x", events: ["*"] },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.param).toBe("url");
    const corrected = await call("POST", "/api/v1/webhook-endpoints", {
      token: merchant.secret_key,
      headers,
      body: { url: "http://localhost:4796/ok", events: ["*"] },
    });
    expect(corrected.status).toBe(201);
  });

  it("answers 409 idempotency_key_in_use while the first request still runs, and lets a retry take over a crashed one", async () => {
    const merchant = await newMerchant();
    const key = crypto.randomUUID();
    const body = { external_id: `run_${crypto.randomUUID()}`, full_name: "A" };
    // Make the first request and keep its key's row, then put the row back into the state a request
    // that is still running (or crashed mid-way) leaves behind.
    await call("POST", SYNC, { token: merchant.secret_key, headers: { "Idempotency-Key": key }, body });
    await env.DB.prepare(
      "UPDATE idempotency_keys SET state = 'running', response_status = NULL, response_body = NULL, locked_until_ms = ? WHERE key = ?",
    )
      .bind(Date.now() + 60_000, key)
      .run();
    const inUse = await call("POST", SYNC, { token: merchant.secret_key, headers: { "Idempotency-Key": key }, body });
    expect(inUse.status).toBe(409);
    expect(inUse.body.error).toMatchObject({ code: "idempotency_key_in_use", param: "Idempotency-Key" });

    await env.DB.prepare("UPDATE idempotency_keys SET locked_until_ms = ? WHERE key = ?")
      .bind(Date.now() - 1, key)
      .run();
    const takenOver = await call("POST", SYNC, { token: merchant.secret_key, headers: { "Idempotency-Key": key }, body });
    expect(takenOver.status).toBe(200);
    expect(takenOver.headers.get("Idempotent-Replayed")).toBeNull();
    const replay = await call("POST", SYNC, { token: merchant.secret_key, headers: { "Idempotency-Key": key }, body });
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await usersWithExternalId(body.external_id)).toBe(1);
  });
});
