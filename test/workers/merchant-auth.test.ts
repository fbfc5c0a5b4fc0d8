import { describe, expect, it } from "vitest";
import {
  call,
  createKey,
  fundedUser,
  newIntent,
  newMerchant,
  newSession,
  payWithCard,
  payWithWallet,
  signedHeaders,
  syncUser,
  type TestMerchant,
} from "./helpers";

describe("merchant API authentication: secret keys", () => {
  it("requires credentials", async () => {
    const res = await call("GET", "/api/v1/embedded/users/u1");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("authentication_required");
  });

  it.each(["sk_sandbox_notarealkey", "sk_sandbox_" + "A".repeat(32), "Basic abc"])("rejects the bad key %s with 401", async (token) => {
    const res = await call("GET", "/api/v1/embedded/users/u1", { token });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_api_key");
  });

  it("answers a publishable key on a server-side route with 403", async () => {
    const merchant = await newMerchant();
    const res = await call("POST", "/api/v1/embedded/users/sync", {
      token: merchant.publishable_key,
      body: { external_id: "u1", full_name: "A" },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("publishable_key_not_allowed");
  });

  it("hides another merchant's user behind a 404", async () => {
    const mine = await newMerchant();
    const theirs = await newMerchant();
    const user = await syncUser(theirs.secret_key, "shared_external_id");
    const byMazadId = await call("GET", `/api/v1/embedded/users/${user.body.data.mazad_user_id}`, { token: mine.secret_key });
    const byExternalId = await call("GET", "/api/v1/embedded/users/shared_external_id", { token: mine.secret_key });
    for (const res of [byMazadId, byExternalId]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("resource_missing");
    }
  });

  it("keeps sandbox and live apart: a live key does not see sandbox users, and vice versa", async () => {
    const merchant = await newMerchant();
    const live = await createKey(merchant, "secret", "live");
    const sandboxUser = await syncUser(merchant.secret_key, "same_id");
    expect((await call("GET", `/api/v1/embedded/users/${sandboxUser.body.data.mazad_user_id}`, { token: live.secret })).status).toBe(404);
    const liveUser = await syncUser(live.secret, "same_id");
    expect(liveUser.status).toBe(201);
    expect(liveUser.body.data.wallet_id).not.toBe(sandboxUser.body.data.wallet_id);
    const seenFromSandbox = await call("GET", "/api/v1/embedded/users/same_id", { token: merchant.secret_key });
    expect(seenFromSandbox.body.data.mazad_user_id).toBe(sandboxUser.body.data.mazad_user_id);
  });
});

describe("merchant API authentication: HMAC signatures", () => {
  async function signingSetup() {
    const merchant = await newMerchant();
    const key = await createKey(merchant, "signing", "sandbox");
    return { merchant, key_id: key.key_id!, secret: key.secret };
  }

  it("accepts a request signed exactly as documented", async () => {
    const { key_id, secret } = await signingSetup();
    const body = JSON.stringify({ external_id: "signed_user", full_name: "Signed User" });
    const headers = await signedHeaders(key_id, secret, "POST", "/api/v1/embedded/users/sync", body);
    const res = await call("POST", "/api/v1/embedded/users/sync", { rawBody: body, headers });
    expect(res.status).toBe(201);
    // The query string is part of what is signed.
    const get = await call("GET", "/api/v1/embedded/users/signed_user/transactions?currency=IQD", {
      headers: await signedHeaders(key_id, secret, "GET", "/api/v1/embedded/users/signed_user/transactions?currency=IQD"),
    });
    expect(get.status).toBe(200);
    // The target as sent: an empty query's "?" is part of it (curl sends it when told to).
    const bare = await call("GET", "/api/v1/balance?", { headers: await signedHeaders(key_id, secret, "GET", "/api/v1/balance?") });
    expect(bare.status).toBe(200);
  });

  it("rejects a replay of an accepted signature", async () => {
    const { key_id, secret } = await signingSetup();
    const headers = await signedHeaders(key_id, secret, "GET", "/api/v1/embedded/users/nobody");
    expect((await call("GET", "/api/v1/embedded/users/nobody", { headers })).status).toBe(404);
    const replay = await call("GET", "/api/v1/embedded/users/nobody", { headers });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe("signature_replayed");
  });

  it("honours identical requests within one second when each carries its own nonce; a replay is still refused", async () => {
    const { key_id, secret } = await signingSetup();
    const path = "/api/v1/balance";
    const ts = Math.floor(Date.now() / 1000);
    // Polling twice in one second: the same method, target, body and timestamp.
    const first = await call("GET", path, { headers: await signedHeaders(key_id, secret, "GET", path, "", ts, "poll-1") });
    const second = await call("GET", path, { headers: await signedHeaders(key_id, secret, "GET", path, "", ts, "poll-2") });
    expect([first.status, second.status]).toEqual([200, 200]);
    // Without a nonce the two would sign alike, and the second is a replay.
    const bare = await signedHeaders(key_id, secret, "GET", path, "", ts);
    expect((await call("GET", path, { headers: bare })).status).toBe(200);
    expect((await call("GET", path, { headers: bare })).body.error.code).toBe("signature_replayed");
    // The nonce is signed: a replay that swaps it for another fails the signature.
    const replayed = await call("GET", path, {
      headers: { ...(await signedHeaders(key_id, secret, "GET", path, "", ts, "poll-1")), "X-Api-Nonce": "poll-3" },
    });
    expect(replayed.body.error.code).toBe("invalid_signature");
    const again = await call("GET", path, { headers: await signedHeaders(key_id, secret, "GET", path, "", ts, "poll-1") });
    expect(again.body.error.code).toBe("signature_replayed");
    const malformed = await call("GET", path, { headers: await signedHeaders(key_id, secret, "GET", path, "", ts, "not a nonce!") });
    expect(malformed.status).toBe(401);
    expect(malformed.body.error).toMatchObject({ code: "authentication_required", param: "X-Api-Nonce" });
  });

  it.each([-301, 301])("rejects a timestamp %i s off the clock", async (offset) => {
    const { key_id, secret } = await signingSetup();
    // Rounded away from now, so the offset is at least 301 s whatever the fraction of the current second.
    const ts = (offset > 0 ? Math.ceil(Date.now() / 1000) : Math.floor(Date.now() / 1000)) + offset;
    const res = await call("GET", "/api/v1/embedded/users/nobody", {
      headers: await signedHeaders(key_id, secret, "GET", "/api/v1/embedded/users/nobody", "", ts),
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "timestamp_out_of_window", param: "X-Api-Timestamp" });
  });

  it("rejects a tampered body, path or method", async () => {
    const { key_id, secret } = await signingSetup();
    const body = JSON.stringify({ external_id: "u1", full_name: "A" });
    const headers = await signedHeaders(key_id, secret, "POST", "/api/v1/embedded/users/sync", body);
    const tamperedBody = await call("POST", "/api/v1/embedded/users/sync", { rawBody: body.replace("u1", "u2"), headers });
    expect(tamperedBody.status).toBe(401);
    expect(tamperedBody.body.error.code).toBe("invalid_signature");
    const otherPath = await call("POST", "/api/v1/users/sync", {
      rawBody: body,
      headers: await signedHeaders(key_id, secret, "POST", "/api/v1/embedded/users/sync", body),
    });
    expect(otherPath.status).toBe(401);
  });

  it("rejects a wrong secret, an unknown key id and a revoked signing key", async () => {
    const { merchant, key_id, secret } = await signingSetup();
    const path = "/api/v1/embedded/users/nobody";
    expect((await call("GET", path, { headers: await signedHeaders(key_id, secret + "x", "GET", path) })).status).toBe(401);
    expect((await call("GET", path, { headers: await signedHeaders("mk_sandbox_unknown", secret, "GET", path) })).body.error.code).toBe(
      "invalid_api_key",
    );
    await call("DELETE", `/api/v1/merchants/${merchant.merchant_id}/api-keys/${key_id}`, { token: merchant.token });
    const revoked = await call("GET", path, { headers: await signedHeaders(key_id, secret, "GET", path) });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe("invalid_api_key");
  });

  it("requires all three headers", async () => {
    const { key_id } = await signingSetup();
    const res = await call("GET", "/api/v1/embedded/users/nobody", {
      headers: { "X-Api-Key": key_id, "X-Api-Timestamp": String(Math.floor(Date.now() / 1000)) },
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "authentication_required", param: "X-Api-Signature" });
  });

  it("scopes a signed request to the signing key's merchant", async () => {
    const { key_id, secret } = await signingSetup();
    const other = await newMerchant();
    const theirUser = await syncUser(other.secret_key);
    const path = `/api/v1/embedded/users/${theirUser.body.data.mazad_user_id}`;
    expect((await call("GET", path, { headers: await signedHeaders(key_id, secret, "GET", path) })).status).toBe(404);
  });
});

describe("the publishable key: a browser reads its own checkout", () => {
  const SESSION_VIEW = ["amount", "currency", "expires_at", "id", "object", "payment_id", "redirect_url", "status"];
  const INTENT_VIEW = [...SESSION_VIEW, "attempts_remaining"].sort();
  const read = (checkout: { id: string }, token: string, client_secret?: string, headers: Record<string, string> = {}) => {
    const path = checkout.id.startsWith("pi_") ? `/api/v1/payment-intents/${checkout.id}` : `/api/v1/checkout/sessions/${checkout.id}`;
    return call("GET", client_secret === undefined ? path : `${path}?client_secret=${encodeURIComponent(client_secret)}`, {
      token,
      headers,
    });
  };

  async function sessionOf(merchant?: TestMerchant) {
    const { merchant: m } = await fundedUser(0, merchant);
    const external_user_id = `usr_${crypto.randomUUID()}`;
    const user = await syncUser(m.secret_key, external_user_id);
    await call("POST", `/api/v1/embedded/users/${user.body.data.mazad_user_id}/wallet/top-ups`, {
      token: m.secret_key,
      body: { amount: 100_000, currency: "IQD" },
    });
    return { merchant: m, session: await newSession(m.secret_key, external_user_id, 45_000) };
  }

  it(
    "with the checkout's client_secret, answers the restricted view: " + "state and redirect, nothing of the merchant's or the buyer's",
    async () => {
      const { merchant, session } = await sessionOf();
      const open = await read(session, merchant.publishable_key, session.client_secret);
      expect(open.status).toBe(200);
      expect(Object.keys(open.body.data).sort()).toEqual(SESSION_VIEW);
      expect(open.body.data).toEqual({
        id: session.id,
        object: "checkout.session",
        status: "open",
        amount: 45_000,
        currency: "IQD",
        expires_at: session.expires_at,
        payment_id: null,
        redirect_url: null,
      });
      for (const absent of [
        "metadata",
        "description",
        "client_secret",
        "checkout_url",
        "success_url",
        "cancel_url",
        "external_user_id",
        "created_at",
      ]) {
        expect(open.body.data, absent).not.toHaveProperty(absent);
      }
      expect(JSON.stringify(open.body)).not.toContain(session.client_secret);
      expect(JSON.stringify(open.body)).not.toContain("1042");

      expect((await payWithWallet(session)).status).toBe(200);
      const paid = await read(session, merchant.publishable_key, session.client_secret);
      expect(paid.body.data).toMatchObject({
        status: "authorized",
        payment_id: expect.stringMatching(/^pay_test_/),
        redirect_url: `https://shop.example/success?session_id=${session.id}`,
      });

      const intent = await newIntent(merchant.secret_key, 9_999);
      const unpaid = await read(intent, merchant.publishable_key, intent.client_secret);
      expect(Object.keys(unpaid.body.data).sort()).toEqual(INTENT_VIEW);
      expect(unpaid.body.data).toMatchObject({
        object: "payment_intent",
        status: "requires_payment_method",
        attempts_remaining: 5,
        redirect_url: null,
      });
      await payWithCard(intent, { number: "4000 0000 0000 9995" });
      expect((await read(intent, merchant.publishable_key, intent.client_secret)).body.data).toMatchObject({
        status: "requires_payment_method",
        attempts_remaining: 4,
      });
      await payWithCard(intent);
      expect((await read(intent, merchant.publishable_key, intent.client_secret)).body.data).toMatchObject({
        status: "authorized",
        redirect_url: `https://shop.example/thanks?payment_intent=${intent.id}`,
      });

      // Where the buyer is sent once it is closed: the cancel_url, naming the checkout.
      const canceled = await newIntent(merchant.secret_key, 500);
      await call("POST", `/api/v1/payment-intents/${canceled.id}/cancel`, { token: merchant.secret_key });
      expect((await read(canceled, merchant.publishable_key, canceled.client_secret)).body.data).toMatchObject({
        status: "canceled",
        redirect_url: `https://shop.example/cart?payment_intent=${canceled.id}`,
      });
    },
  );

  it("refuses a wrong client_secret with 403, as the buyer's pay route does", async () => {
    const { merchant, session } = await sessionOf();
    const intent = await newIntent(merchant.secret_key, 100);
    for (const checkout of [session, intent]) {
      const res = await read(checkout, merchant.publishable_key, `${checkout.client_secret}x`);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: "client_secret_invalid", param: "client_secret" });
      // Another checkout's secret is just as wrong.
      const other = checkout === session ? intent : session;
      expect((await read(checkout, merchant.publishable_key, other.client_secret)).status).toBe(403);
    }
  });

  it(
    "hides the checkout from another merchant's publishable key, and from the live key, " + "behind a 404 even with the right secret",
    async () => {
      const { merchant, session } = await sessionOf();
      const intent = await newIntent(merchant.secret_key, 100);
      const stranger = await newMerchant();
      const live = await createKey(merchant, "publishable", "live");
      for (const checkout of [session, intent]) {
        for (const [token, secret] of [
          [stranger.publishable_key, checkout.client_secret],
          [stranger.publishable_key, "wrong"],
          [live.secret, checkout.client_secret],
        ] as const) {
          const res = await read(checkout, token, secret);
          expect(res.status).toBe(404);
          expect(res.body.error.code).toBe("resource_missing");
        }
      }
      // A session's client secret does not make its id an intent's.
      const alias = session.id.replace(/^cs_test_/, "pi_test_");
      expect(
        (await call("GET", `/api/v1/payment-intents/${alias}?client_secret=${session.client_secret}`, { token: merchant.publishable_key }))
          .status,
      ).toBe(404);
    },
  );

  it("asks a publishable key for the client_secret (400), and refuses it beside a secret key (400)", async () => {
    const { merchant, session } = await sessionOf();
    const intent = await newIntent(merchant.secret_key, 100);
    for (const checkout of [session, intent]) {
      const bare = await read(checkout, merchant.publishable_key);
      expect(bare.status).toBe(400);
      expect(bare.body.error).toMatchObject({ code: "parameter_missing", param: "client_secret" });

      const withSecretKey = await read(checkout, merchant.secret_key, checkout.client_secret);
      expect(withSecretKey.status).toBe(400);
      expect(withSecretKey.body.error).toMatchObject({ code: "parameter_unknown", param: "client_secret" });
      // The secret key alone: the whole object, as before.
      const whole = await read(checkout, merchant.secret_key);
      expect(whole.status).toBe(200);
      expect(whole.body.data).toMatchObject({
        id: checkout.id,
        client_secret: checkout.client_secret,
        checkout_url: checkout.checkout_url,
      });
    }
    expect((await read(session, merchant.secret_key)).body.data.metadata).toEqual({ order_id: "1042" });
  });

  it("is still refused everywhere else, the checkout's own payment included", async () => {
    const { merchant, session } = await sessionOf();
    await payWithWallet(session);
    const payment_id = (await read(session, merchant.secret_key)).body.data.payment_id;
    for (const [method, path] of [
      ["GET", `/api/v1/payments/${payment_id}`],
      ["GET", `/api/v1/payments/${payment_id}?client_secret=${session.client_secret}`],
      ["POST", `/api/v1/checkout/sessions/${session.id}/expire`],
      ["POST", "/api/v1/payment-intents"],
      ["GET", "/api/v1/balance"],
    ]) {
      const res = await call(method!, path!, { token: merchant.publishable_key, headers: { "Idempotency-Key": crypto.randomUUID() } });
      expect(res.status, path).toBe(403);
      expect(res.body.error.code, path).toBe("publishable_key_not_allowed");
    }
  });

  it("answers CORS on exactly these two reads: preflight and response, any origin, the Authorization header", async () => {
    const { merchant, session } = await sessionOf();
    const intent = await newIntent(merchant.secret_key, 100);
    const origin = { Origin: "https://shop.example" };
    const preflight = (path: string) =>
      call("OPTIONS", path, {
        headers: { ...origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
      });
    for (const checkout of [session, intent]) {
      const path = checkout === session ? `/api/v1/checkout/sessions/${checkout.id}` : `/api/v1/payment-intents/${checkout.id}`;
      const answered = await preflight(`${path}?client_secret=${encodeURIComponent(checkout.client_secret)}`);
      expect(answered.status).toBe(204);
      expect(answered.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(answered.headers.get("Access-Control-Allow-Methods")).toBe("GET");
      expect(answered.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toBe("authorization");
      expect(answered.headers.get("Access-Control-Allow-Credentials")).toBeNull();
      // The answer itself, and a refusal too (the page must be able to read why).
      expect(
        (await read(checkout, merchant.publishable_key, checkout.client_secret, origin)).headers.get("Access-Control-Allow-Origin"),
      ).toBe("*");
      const refused = await read(checkout, merchant.publishable_key, "wrong", origin);
      expect(refused.status).toBe(403);
      expect(refused.headers.get("Access-Control-Allow-Origin")).toBe("*");
    }
    for (const path of [
      "/api/v1/balance",
      `/api/v1/checkout/sessions/${session.id}/expire`,
      "/api/v1/payment-intents",
      "/api/v1/payments/pay_test_x",
    ]) {
      const res = await preflight(path);
      expect(res.status, path).not.toBe(204);
      expect(res.headers.get("Access-Control-Allow-Origin"), path).toBeNull();
    }
    expect(
      (await call("GET", "/api/v1/balance", { token: merchant.secret_key, headers: origin })).headers.get("Access-Control-Allow-Origin"),
    ).toBeNull();
  });

  it("is documented: the two reads list PublishableKey beside SecretKey and the signature, no other operation does", async () => {
    const doc = (await call("GET", "/openapi.json")).body;
    expect(doc.components.securitySchemes.PublishableKey).toMatchObject({ type: "http", scheme: "bearer" });
    const listing: string[] = [];
    for (const [path, item] of Object.entries<Record<string, { security?: Record<string, string[]>[] }>>(doc.paths)) {
      for (const [method, op] of Object.entries(item))
        if (op.security?.some((r) => "PublishableKey" in r)) listing.push(`${method} ${path}`);
    }
    expect(listing.sort()).toEqual(["get /api/v1/checkout/sessions/{id}", "get /api/v1/payment-intents/{id}"]);
    const read = doc.paths["/api/v1/payment-intents/{id}"].get;
    expect(read.security).toEqual([{ SecretKey: [] }, { HmacKeyId: [], HmacTimestamp: [], HmacSignature: [] }, { PublishableKey: [] }]);
    expect(read.parameters).toContainEqual(expect.objectContaining({ name: "client_secret", in: "query", required: false }));
  });
});
