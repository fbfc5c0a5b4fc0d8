import { sign } from "hono/jwt";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey, newMerchant, registerAndLogin, STRONG_PASSWORD, uniqueEmail } from "./helpers";

describe("POST /api/v1/auth/register", () => {
  it("creates an account (201) without exposing the password hash", async () => {
    const email = uniqueEmail();
    const res = await call("POST", "/api/v1/auth/register", { body: { email, password: STRONG_PASSWORD, name: "Nour" } });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ email, name: "Nour" });
    expect(res.body.data.id).toMatch(/^acct_/);
    expect(JSON.stringify(res.body)).not.toContain("pbkdf2");
  });

  it("stores a salted PBKDF2 hash, never the password", async () => {
    const email = uniqueEmail();
    await call("POST", "/api/v1/auth/register", { body: { email, password: STRONG_PASSWORD } });
    const row = await env.DB.prepare("SELECT password_hash FROM accounts WHERE email = ?").bind(email).first<{ password_hash: string }>();
    expect(row!.password_hash).toMatch(/^pbkdf2_sha256\$100000\$/);
    expect(row!.password_hash).not.toContain(STRONG_PASSWORD);
  });

  it("answers a taken email (any case) with 400 email_taken", async () => {
    const email = uniqueEmail();
    await call("POST", "/api/v1/auth/register", { body: { email, password: STRONG_PASSWORD } });
    const res = await call("POST", "/api/v1/auth/register", { body: { email: email.toUpperCase(), password: STRONG_PASSWORD } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "email_taken", param: "email" });
  });

  it.each(["short1A", "alllowercase123", "ALLUPPERCASE123", "NoDigitsHereAtAll"])(
    "answers the weak password %s with 400 weak_password and the rule",
    async (password) => {
      const res = await call("POST", "/api/v1/auth/register", { body: { email: uniqueEmail(), password } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "weak_password", param: "password" });
      expect(res.body.error.message).toContain("10 to 128 characters");
    },
  );

  it("answers a malformed email with 422", async () => {
    const res = await call("POST", "/api/v1/auth/register", { body: { email: "not-an-email", password: STRONG_PASSWORD } });
    expect(res.status).toBe(422);
    expect(res.body.error.param).toBe("email");
  });
});

describe("POST /api/v1/auth/login and GET /auth/me", () => {
  it("returns a Bearer JWT that opens /auth/me", async () => {
    const email = uniqueEmail();
    await call("POST", "/api/v1/auth/register", { body: { email, password: STRONG_PASSWORD } });
    const login = await call("POST", "/api/v1/auth/login", { body: { email, password: STRONG_PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.body.data).toMatchObject({ token_type: "Bearer", expires_in: 3600 });
    expect(login.body.data.access_token.split(".")).toHaveLength(3);
    const me = await call("GET", "/api/v1/auth/me", { token: login.body.data.access_token });
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ email, merchants: [] });
  });

  it("answers a wrong password and an unknown email alike with 401 invalid_credentials", async () => {
    const { email } = await registerAndLogin();
    const wrong = await call("POST", "/api/v1/auth/login", { body: { email, password: "Wrong-Horse-42" } });
    const unknown = await call("POST", "/api/v1/auth/login", { body: { email: uniqueEmail(), password: STRONG_PASSWORD } });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("invalid_credentials");
    }
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it("rejects no token, a garbage token, an expired token and a token from another issuer", async () => {
    const { account_id } = await registerAndLogin();
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign(
      { sub: account_id, email: "x@y.co", iss: env.JWT_ISSUER, iat: now - 7200, exp: now - 3600 },
      env.JWT_SECRET,
      "HS256",
    );
    const foreign = await sign(
      { sub: account_id, email: "x@y.co", iss: "someone-else", iat: now, exp: now + 3600 },
      env.JWT_SECRET,
      "HS256",
    );
    const forged = await sign(
      { sub: account_id, email: "x@y.co", iss: env.JWT_ISSUER, iat: now, exp: now + 3600 },
      "not-our-secret",
      "HS256",
    );
    expect((await call("GET", "/api/v1/auth/me")).status).toBe(401);
    for (const token of ["garbage", expired, foreign, forged]) {
      const res = await call("GET", "/api/v1/auth/me", { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("invalid_token");
    }
  });

  it("does not accept a merchant secret key on dashboard routes", async () => {
    const merchant = await newMerchant();
    const res = await call("GET", `/api/v1/merchants/${merchant.merchant_id}`, { token: merchant.secret_key });
    expect(res.status).toBe(401);
  });
});

describe("merchants", () => {
  it("creates a merchant with a UUID id and first sandbox keys shown once", async () => {
    const { token } = await registerAndLogin();
    const res = await call("POST", "/api/v1/merchants", { token, body: { name: "Mazad Antiques", website: "https://antiques.example" } });
    expect(res.status).toBe(201);
    const data = res.body.data;
    expect(data.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(data).toMatchObject({ name: "Mazad Antiques", website: "https://antiques.example", commission_bps: 250, role: "owner" });
    expect(data.secret_key).toMatch(/^sk_sandbox_[0-9A-Za-z]{32}$/);
    expect(data.publishable_key).toMatch(/^pk_sandbox_[0-9A-Za-z]{32}$/);
    const me = await call("GET", "/api/v1/auth/me", { token });
    expect(me.body.data.merchants).toEqual([{ id: data.id, name: "Mazad Antiques", role: "owner" }]);
    const stored = await env.DB.prepare("SELECT secret_hash FROM api_keys WHERE merchant_id = ?")
      .bind(data.id)
      .all<{ secret_hash: string }>();
    expect(stored.results.map((r) => r.secret_hash)).not.toContain(data.secret_key);
  });

  it("reads and updates settings; validates the website", async () => {
    const merchant = await newMerchant();
    const path = `/api/v1/merchants/${merchant.merchant_id}`;
    expect((await call("GET", path, { token: merchant.token })).body.data.name).toBe("Test Shop");
    const patched = await call("PATCH", path, { token: merchant.token, body: { name: "Renamed", website: "https://shop.example" } });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ name: "Renamed", website: "https://shop.example" });
    const bad = await call("PATCH", path, { token: merchant.token, body: { website: "ftp://shop.example" } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.param).toBe("website");
  });

  it("answers another account's merchant with 404, never 403", async () => {
    const merchant = await newMerchant();
    const stranger = await registerAndLogin();
    for (const [method, path] of [
      ["GET", `/api/v1/merchants/${merchant.merchant_id}`],
      ["GET", `/api/v1/merchants/${merchant.merchant_id}/api-keys`],
      ["GET", `/api/v1/merchants/${merchant.merchant_id}/members`],
    ] as const) {
      const res = await call(method, path, { token: stranger.token });
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe("resource_missing");
    }
    const patch = await call("PATCH", `/api/v1/merchants/${merchant.merchant_id}`, { token: stranger.token, body: { name: "Mine" } });
    expect(patch.status).toBe(404);
  });
});

describe("API keys", () => {
  it("creates secret, publishable and signing keys per mode, with the secret shown once", async () => {
    const merchant = await newMerchant();
    const live = await createKey(merchant, "secret", "live");
    expect(live.secret).toMatch(/^sk_live_/);
    const pk = await createKey(merchant, "publishable", "live");
    expect(pk.secret).toMatch(/^pk_live_/);
    const signing = await createKey(merchant, "signing", "sandbox");
    expect(signing.key_id).toMatch(/^mk_sandbox_/);
    expect(signing.id).toBe(signing.key_id);
    expect(signing.secret).toMatch(/^mks_/);
    const sealed = await env.DB.prepare("SELECT secret_sealed FROM api_keys WHERE id = ?")
      .bind(signing.id)
      .first<{ secret_sealed: string }>();
    expect(sealed!.secret_sealed).toMatch(/^v1\./);
    expect(sealed!.secret_sealed).not.toContain(signing.secret);
  });

  it("lists keys masked, never with their secrets", async () => {
    const merchant = await newMerchant();
    const signing = await createKey(merchant, "signing", "sandbox");
    const res = await call("GET", `/api/v1/merchants/${merchant.merchant_id}/api-keys`, { token: merchant.token });
    expect(res.status).toBe(200);
    expect(res.body.data.api_keys).toHaveLength(3);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(merchant.secret_key);
    expect(text).not.toContain(signing.secret);
    expect(res.body.data.api_keys.map((k: any) => k.masked)).toContain(`sk_sandbox_…${merchant.secret_key.slice(-4)}`);
  });

  it("revokes a key: the next call with it is 401 at once", async () => {
    const merchant = await newMerchant();
    const key = await createKey(merchant, "secret", "sandbox");
    expect((await call("GET", "/api/v1/embedded/users/nobody", { token: key.secret })).status).toBe(404);
    const revoked = await call("DELETE", `/api/v1/merchants/${merchant.merchant_id}/api-keys/${key.id}`, { token: merchant.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.data.revoked_at).toBeTruthy();
    const after = await call("GET", "/api/v1/embedded/users/nobody", { token: key.secret });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("invalid_api_key");
  });

  it("validates the key type and mode (422) and answers an unknown key id with 404", async () => {
    const merchant = await newMerchant();
    const path = `/api/v1/merchants/${merchant.merchant_id}/api-keys`;
    const badType = await call("POST", path, { token: merchant.token, body: { type: "master", mode: "sandbox" } });
    expect(badType.status).toBe(422);
    expect(badType.body.error.param).toBe("type");
    const missing = await call("POST", path, { token: merchant.token, body: { type: "secret" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.param).toBe("mode");
    const unknown = await call("DELETE", `${path}/key_doesnotexist0000`, { token: merchant.token });
    expect(unknown.status).toBe(404);
  });

  it("cannot revoke another merchant's key through its own merchant id", async () => {
    const mine = await newMerchant();
    const theirs = await newMerchant();
    const theirKey = await createKey(theirs, "secret", "sandbox");
    const res = await call("DELETE", `/api/v1/merchants/${mine.merchant_id}/api-keys/${theirKey.id}`, { token: mine.token });
    expect(res.status).toBe(404);
    expect((await call("GET", "/api/v1/embedded/users/nobody", { token: theirKey.secret })).status).toBe(404);
  });
});

describe("members and roles", () => {
  async function teamOf(role: "admin" | "developer" | "viewer") {
    const merchant = await newMerchant();
    const member = await registerAndLogin();
    const added = await call("POST", `/api/v1/merchants/${merchant.merchant_id}/members`, {
      token: merchant.token,
      body: { email: member.email, role },
    });
    expect(added.status).toBe(201);
    return { merchant, member };
  }

  it("adds a registered account with a role and lists the team", async () => {
    const { merchant, member } = await teamOf("developer");
    const list = await call("GET", `/api/v1/merchants/${merchant.merchant_id}/members`, { token: member.token });
    expect(list.status).toBe(200);
    expect(list.body.data.members.map((m: any) => m.role)).toEqual(["owner", "developer"]);
    const me = await call("GET", "/api/v1/auth/me", { token: member.token });
    expect(me.body.data.merchants).toEqual([{ id: merchant.merchant_id, name: "Test Shop", role: "developer" }]);
  });

  it("answers an unregistered email with 422 account_not_found", async () => {
    const merchant = await newMerchant();
    const res = await call("POST", `/api/v1/merchants/${merchant.merchant_id}/members`, {
      token: merchant.token,
      body: { email: uniqueEmail(), role: "viewer" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "account_not_found", param: "email" });
  });

  it("lets a viewer read but not change anything", async () => {
    const { merchant, member } = await teamOf("viewer");
    const base = `/api/v1/merchants/${merchant.merchant_id}`;
    expect((await call("GET", base, { token: member.token })).status).toBe(200);
    expect((await call("GET", `${base}/api-keys`, { token: member.token })).status).toBe(200);
    for (const [method, path, body] of [
      ["PATCH", base, { name: "x" }],
      ["POST", `${base}/api-keys`, { type: "secret", mode: "sandbox" }],
      ["POST", `${base}/members`, { email: uniqueEmail(), role: "viewer" }],
    ] as const) {
      const res = await call(method, path, { token: member.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe("insufficient_role");
    }
  });

  it("lets a developer manage sandbox keys but not live keys or settings", async () => {
    const { merchant, member } = await teamOf("developer");
    const base = `/api/v1/merchants/${merchant.merchant_id}`;
    expect((await call("POST", `${base}/api-keys`, { token: member.token, body: { type: "signing", mode: "sandbox" } })).status).toBe(201);
    expect((await call("POST", `${base}/api-keys`, { token: member.token, body: { type: "secret", mode: "live" } })).status).toBe(403);
    expect((await call("PATCH", base, { token: member.token, body: { name: "x" } })).status).toBe(403);
  });

  it("lets an admin manage the team but not touch owners", async () => {
    const { merchant, member: admin } = await teamOf("admin");
    const base = `/api/v1/merchants/${merchant.merchant_id}`;
    const other = await registerAndLogin();
    expect((await call("POST", `${base}/members`, { token: admin.token, body: { email: other.email, role: "viewer" } })).status).toBe(201);
    expect((await call("POST", `${base}/members`, { token: admin.token, body: { email: other.email, role: "owner" } })).status).toBe(403);
    expect((await call("DELETE", `${base}/members/${merchant.account_id}`, { token: admin.token })).status).toBe(403);
    const promoted = await call("POST", `${base}/members`, { token: admin.token, body: { email: other.email, role: "developer" } });
    expect(promoted.status).toBe(200);
    expect(promoted.body.data.role).toBe("developer");
    expect((await call("DELETE", `${base}/members/${other.account_id}`, { token: admin.token })).status).toBe(200);
  });

  it("keeps at least one owner", async () => {
    const merchant = await newMerchant();
    const base = `/api/v1/merchants/${merchant.merchant_id}`;
    const alone = await call("DELETE", `${base}/members/${merchant.account_id}`, { token: merchant.token });
    expect(alone.status).toBe(422);
    expect(alone.body.error.code).toBe("last_owner");
    const me = await call("GET", "/api/v1/auth/me", { token: merchant.token });
    const demote = await call("POST", `${base}/members`, { token: merchant.token, body: { email: me.body.data.email, role: "admin" } });
    expect(demote.status).toBe(422);
    const second = await registerAndLogin();
    await call("POST", `${base}/members`, { token: merchant.token, body: { email: second.email, role: "owner" } });
    expect((await call("DELETE", `${base}/members/${merchant.account_id}`, { token: merchant.token })).status).toBe(200);
    expect((await call("GET", base, { token: merchant.token })).status).toBe(404);
  });
});

describe("login throttling", () => {
  const login = (email: string, password: string, ip: string) =>
    call("POST", "/api/v1/auth/login", { body: { email, password }, headers: { "CF-Connecting-IP": ip } });

  it("counts failures per email and client IP: the 11th try from that IP is 429, other IPs still log in", async () => {
    const { email } = await registerAndLogin();
    for (let i = 0; i < 10; i++) expect((await login(email, "Wrong-Horse-42", "203.0.113.7")).status).toBe(401);
    const blocked = await login(email.toUpperCase(), STRONG_PASSWORD, "203.0.113.7");
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe("rate_limited");
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(800);
    // The owner, elsewhere, is not locked out by someone else's guessing.
    expect((await login(email, STRONG_PASSWORD, "198.51.100.20")).status).toBe(200);
  });

  it("does not count successful logins", async () => {
    const { email } = await registerAndLogin();
    for (let i = 0; i < 12; i++) expect((await login(email, STRONG_PASSWORD, "203.0.113.8")).status).toBe(200);
  });

  it("stops a distributed guesser at 100 failures per email, except for networks the owner logged in from", async () => {
    const { email } = await registerAndLogin();
    expect((await login(email, STRONG_PASSWORD, "198.51.100.1")).status).toBe(200);
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => login(email, "Wrong-Horse-42", `192.0.2.${batch * 10 + i}`)));
      for (const r of results) expect(r.status).toBe(401);
    }
    const newcomer = await login(email, STRONG_PASSWORD, "192.0.2.200");
    expect(newcomer.status).toBe(429);
    expect(newcomer.body.error.message).toContain("new networks");
    expect((await login(email, STRONG_PASSWORD, "198.51.100.1")).status).toBe(200);
  }, 60_000);

  it("counts concurrent guesses exactly: 30 at once from one IP, at most 10 are tried", async () => {
    const { email } = await registerAndLogin();
    const results = await Promise.all(Array.from({ length: 30 }, () => login(email, "Wrong-Horse-42", "203.0.113.9")));
    expect(results.filter((r) => r.status === 401)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(20);
  });
});
