import { describe, expect, it } from "vitest";
import { DashboardClient, ORIGIN, signedUp, withMerchant } from "./dashboard-helpers";
import { baghdadDays } from "../../src/dashboard/days";
import { call, countRows, STRONG_PASSWORD } from "./helpers";

/**
 * The dashboard at /admin as a browser uses it (forms, cookies, redirects), through the worker's
 * real fetch handler and D1: sessions, CSRF, roles and tenancy.
 */

async function apiToken(email: string) {
  const login = await call("POST", "/api/v1/auth/login", { body: { email, password: STRONG_PASSWORD } });
  return login.body.data.access_token as string;
}

describe("dashboard: sign-up, merchant, keys", () => {
  it("signs up, creates a merchant and lands on its sandbox keys, shown once and working", async () => {
    const { client } = await signedUp();
    const { merchant_id, page, secrets, base } = await withMerchant(client, "Antique House");
    expect(page.html).toContain("Antique House");
    const [secret_key, publishable_key] = secrets;
    expect(secret_key).toMatch(/^sk_sandbox_/);
    expect(publishable_key).toMatch(/^pk_sandbox_/);
    // The secret key works against the API, as the merchant's.
    const balance = await call("GET", "/api/v1/balance", { token: secret_key });
    expect(balance.status).toBe(200);
    // Shown once: the keys page afterwards has them masked only.
    const again = await client.get(`${base}/keys`);
    expect(again.status).toBe(200);
    expect(again.html).not.toContain(secret_key);
    expect(again.html).toContain("sk_sandbox_…");
    // A signing key: its id and secret shown once, the secret sealed in D1 (never in the clear).
    const signing = await client.post(`${base}/keys`, { type: "signing", name: "Server" });
    expect(signing.status).toBe(201);
    const [key_id, signing_secret] = [...signing.html.matchAll(/data-secret="true"[^>]*>([^<]+)</g)].map((m) => m[1]!);
    expect(key_id).toMatch(/^mk_sandbox_/);
    expect(signing_secret).toMatch(/^mks_/);
    expect(
      await countRows("SELECT count(*) AS n FROM api_keys WHERE merchant_id = ? AND secret_sealed LIKE ?", merchant_id, "%mks_%"),
    ).toBe(0);
    expect(await countRows("SELECT count(*) AS n FROM api_keys WHERE merchant_id = ? AND id = ?", merchant_id, key_id)).toBe(1);
  });

  it("revokes a key from the page: the API refuses it at once", async () => {
    const { client } = await signedUp();
    const { merchant_id, secrets, base } = await withMerchant(client);
    const key = await call("GET", "/api/v1/balance", { token: secrets[0] });
    expect(key.status).toBe(200);
    const row = await countRows("SELECT count(*) AS n FROM api_keys WHERE merchant_id = ? AND type = 'secret'", merchant_id);
    expect(row).toBe(1);
    const page = await client.get(`${base}/keys`);
    const revokeAction = /action="([^"]+\/revoke)"/.exec(page.html)![1]!;
    const revoked = await client.post(revokeAction);
    expect(revoked.status).toBe(303);
    const after = await call("GET", "/api/v1/balance", { token: secrets[0] });
    expect(after.status).toBe(401);
  });

  it("refuses a bad merchant name and a weak password at their fields, with no 500", async () => {
    const { client } = await signedUp();
    const empty = await client.post("/admin/merchants", { name: "   " });
    expect(empty.status).toBe(422);
    expect(empty.html).toMatch(/id="f-name-error"/);
    const fresh = new DashboardClient();
    await fresh.get("/admin/signup");
    const weak = await fresh.post("/admin/signup", { email: "weak@example.com", password: "short" });
    expect(weak.status).toBe(400);
    expect(weak.html).toMatch(/id="f-password-error"[^>]*>Passwords need/);
  });
});

describe("dashboard: sessions and CSRF", () => {
  it("sets an HttpOnly, SameSite=Lax session cookie on /admin, Secure except on localhost", async () => {
    const client = new DashboardClient();
    const email = `cookie-${crypto.randomUUID()}@example.com`;
    const res = await client.post("/admin/signup", { email, password: STRONG_PASSWORD });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("mzd_session="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/admin/);
    expect(cookie).not.toMatch(/Secure/);
    // Elsewhere than localhost, Secure.
    const { exports } = await import("cloudflare:workers");
    const remote = await exports.default.fetch(
      new Request("https://pay.example.com/admin/login", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://pay.example.com" },
        body: new URLSearchParams({ email, password: STRONG_PASSWORD }).toString(),
        redirect: "manual",
      }),
    );
    expect(remote.status).toBe(303);
    expect(remote.headers.getSetCookie().find((c) => c.startsWith("mzd_session="))).toMatch(/; Secure/);
    // The database keeps only the token's hash.
    const token = cookie.split(";")[0]!.split("=")[1]!;
    expect(await countRows("SELECT count(*) AS n FROM dashboard_sessions WHERE token_hash = ?", token)).toBe(0);
  });

  it("refuses a form from another origin, and one without the session's token", async () => {
    const { client } = await signedUp();
    const { base } = await withMerchant(client);
    const crossSite = await client.post(`${base}/keys`, { type: "secret" }, { headers: { Origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
    const noToken = await client.post(`${base}/keys`, { type: "secret" }, { csrf: false });
    expect(noToken.status).toBe(403);
    const wrongToken = await client.post(`${base}/keys`, { type: "secret", _csrf: "x".repeat(32) }, { csrf: false });
    expect(wrongToken.status).toBe(403);
    const sameOrigin = await client.post(`${base}/keys`, { type: "secret" });
    expect(sameOrigin.status).toBe(201);
    // A login form posted from elsewhere is refused too (login CSRF).
    const stranger = new DashboardClient();
    const login = await stranger.post("/admin/login", { email: "a@b.c", password: "x" }, { headers: { Origin: "https://evil.example" } });
    expect(login.status).toBe(403);
  });

  it("logging out ends the session on the server: the old cookie no longer opens a page", async () => {
    const { client } = await signedUp();
    const { base } = await withMerchant(client);
    const stolen = new Map(client.cookies);
    expect((await client.get(base)).status).toBe(200);
    const out = await client.post("/admin/logout");
    expect(out.status).toBe(303);
    const replay = new DashboardClient();
    replay.cookies = stolen;
    const page = await replay.get(base);
    expect(page.status).toBe(303);
    expect(page.location).toBe("/admin/login");
  });

  it("logs in with the API's throttle: a wrong password is refused at the form", async () => {
    const { email } = await signedUp();
    const client = new DashboardClient();
    const wrong = await client.post("/admin/login", { email, password: "Wrong-Password-1" });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain("Email or password is incorrect.");
    const right = await client.post("/admin/login", { email, password: STRONG_PASSWORD });
    expect(right.status).toBe(303);
    expect(client.cookies.has("mzd_session")).toBe(true);
  });
});

describe("dashboard: roles and tenancy", () => {
  it("a viewer sees the keys but every action is disabled with the reason, and refused if posted", async () => {
    const owner = await signedUp();
    const { merchant_id, base } = await withMerchant(owner.client);
    const viewer = await signedUp("Viewer");
    const added = await call("POST", `/api/v1/merchants/${merchant_id}/members`, {
      token: await apiToken(owner.email),
      body: { email: viewer.email, role: "viewer" },
    });
    expect(added.status).toBe(201);
    const page = await viewer.client.get(`${base}/keys`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<button type="submit" disabled="" aria-describedby="create-key-button-why"/);
    expect(page.html).toContain("Your role (viewer) can only view this.");
    const before = await countRows("SELECT count(*) AS n FROM api_keys WHERE merchant_id = ?", merchant_id);
    const refused = await viewer.client.post(`${base}/keys`, { type: "secret" });
    expect(refused.status).toBe(403);
    expect(await countRows("SELECT count(*) AS n FROM api_keys WHERE merchant_id = ?", merchant_id)).toBe(before);
    // Live mode is for owners and admins.
    expect((await viewer.client.get(`/admin/m/${merchant_id}/live`)).status).toBe(404);
    expect((await owner.client.get(`/admin/m/${merchant_id}/live`)).status).toBe(200);
  });

  it("another merchant's pages and objects are a 404, never a 403", async () => {
    const a = await signedUp();
    const { base } = await withMerchant(a.client);
    const b = await signedUp();
    await withMerchant(b.client, "Other Shop");
    for (const path of ["", "/keys", "/payments", "/users", "/webhooks", "/team"]) {
      const page = await b.client.get(`${base}${path}`);
      expect(page.status, path).toBe(404);
      expect(page.html).not.toContain("Dash Shop");
    }
    const post = await b.client.post(`${base}/keys`, { type: "secret" });
    expect(post.status).toBe(404);
    expect(new URL(ORIGIN).hostname).toBe("localhost");
  });
});

describe("dashboard: the home chart's days", () => {
  it("are Baghdad's (UTC+3): 21:30 UTC is already the next day, and 20:59 UTC is not", () => {
    const late = baghdadDays(Date.parse("2026-12-03T21:30:00Z"), 2);
    expect(late.map((d) => d.day)).toEqual(["2026-12-03", "2026-12-04"]);
    expect(late[1]!.start_ms).toBe(Date.parse("2026-12-03T21:00:00Z"));
    const before = baghdadDays(Date.parse("2026-12-03T20:59:59Z"), 1);
    expect(before).toEqual([{ day: "2026-12-03", start_ms: Date.parse("2026-12-02T21:00:00Z") }]);
  });
});
