import { describe, expect, it } from "vitest";
import { call, createKey, newMerchant, signedHeaders, syncUser } from "./helpers";

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
    const res = await call("POST", "/api/v1/embedded/users/sync", { token: merchant.publishable_key, body: { external_id: "u1", full_name: "A" } });
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
    const replayed = await call("GET", path, { headers: { ...(await signedHeaders(key_id, secret, "GET", path, "", ts, "poll-1")), "X-Api-Nonce": "poll-3" } });
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
    const res = await call("GET", "/api/v1/embedded/users/nobody", { headers: await signedHeaders(key_id, secret, "GET", "/api/v1/embedded/users/nobody", "", ts) });
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
    const otherPath = await call("POST", "/api/v1/users/sync", { rawBody: body, headers: await signedHeaders(key_id, secret, "POST", "/api/v1/embedded/users/sync", body) });
    expect(otherPath.status).toBe(401);
  });

  it("rejects a wrong secret, an unknown key id and a revoked signing key", async () => {
    const { merchant, key_id, secret } = await signingSetup();
    const path = "/api/v1/embedded/users/nobody";
    expect((await call("GET", path, { headers: await signedHeaders(key_id, secret + "x", "GET", path) })).status).toBe(401);
    expect((await call("GET", path, { headers: await signedHeaders("mk_sandbox_unknown", secret, "GET", path) })).body.error.code).toBe("invalid_api_key");
    await call("DELETE", `/api/v1/merchants/${merchant.merchant_id}/api-keys/${key_id}`, { token: merchant.token });
    const revoked = await call("GET", path, { headers: await signedHeaders(key_id, secret, "GET", path) });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe("invalid_api_key");
  });

  it("requires all three headers", async () => {
    const { key_id } = await signingSetup();
    const res = await call("GET", "/api/v1/embedded/users/nobody", { headers: { "X-Api-Key": key_id, "X-Api-Timestamp": String(Math.floor(Date.now() / 1000)) } });
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
