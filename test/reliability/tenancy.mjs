// Tenancy: one merchant's objects of every kind, then every route that reads or acts on them,
// called with credentials that must not reach them — another merchant's secret key, the owner's
// publishable key (and on the two checkout reads that take one: another merchant's or the live one
// with the checkout's client_secret, the owner's with a wrong one), a revoked secret key, the owner's
// live key, each of the three secret keys' signing counterparts (a request HMAC-signed with another
// merchant's signing key, with the owner's revoked one, with the owner's live one), a stale and a
// replayed signature (with and without a nonce), the JWT of a removed team member and of another
// merchant's owner. Each answer must be the documented refusal, carry nothing of the object, and
// change nothing.
import { randomUUID } from "node:crypto";
import { apiClient } from "../../bench/seed.mjs";
import { signatureHeaders } from "./client.mjs";
import { MARKER, merchantWithKeys, objectsOf } from "./fixtures.mjs";

const SIGNATURE_WINDOW_SECONDS = 300;

/** Every route on the owner's objects: [kind, method, path, body]. */
function keyRoutes(o) {
  return [
    ["user", "GET", `/api/v1/embedded/users/${o.user}`],
    ["user", "GET", `/api/v1/embedded/users/${o.user}/wallet`],
    ["user", "GET", `/api/v1/embedded/users/${o.user}/transactions`],
    ["user", "GET", `/api/v1/embedded/users/${o.user}/wallet/chain`],
    ["wallet", "POST", `/api/v1/embedded/users/${o.user}/wallet/top-ups`, { amount: 5, currency: "IQD" }],
    ["wallet", "POST", "/api/v1/embedded/holds", { user_id: o.user, amount: 5, currency: "IQD" }],
    ["wallet", "POST", "/api/v1/embedded/transfers", { from_user_id: o.user, to_user_id: o.other, amount: 5, currency: "IQD" }],
    ["hold", "GET", `/api/v1/embedded/holds/${o.hold}`],
    ["hold", "POST", `/api/v1/embedded/holds/${o.hold}/capture`, { amount: 1 }],
    ["hold", "POST", `/api/v1/embedded/holds/${o.hold}/release`],
    ["transfer", "GET", `/api/v1/embedded/transfers/${o.transfer}`],
    [
      "session",
      "POST",
      "/api/v1/checkout/sessions",
      { external_user_id: o.user, amount: 5, currency: "IQD", success_url: "https://x.example/ok", cancel_url: "https://x.example/no" },
    ],
    ["session", "GET", `/api/v1/checkout/sessions/${o.open_session}`],
    ["session", "POST", `/api/v1/checkout/sessions/${o.open_session}/expire`],
    ["intent", "GET", `/api/v1/payment-intents/${o.intent}`],
    ["intent", "POST", `/api/v1/payment-intents/${o.intent}/cancel`],
    ["payment", "GET", `/api/v1/payments/${o.payment}`],
    ["payment", "POST", `/api/v1/payments/${o.payment}/void`],
    ["payment", "POST", `/api/v1/payments/${o.payment}/refund`, { amount: 1, reason: "tenancy" }],
    ["refund", "GET", `/api/v1/payments/${o.payment}/refunds`],
    [
      "wallet",
      "POST",
      `/api/v1/embedded/users/${o.user}/payouts`,
      { amount: 5, currency: "IQD", destination: { type: "mobile_wallet", provider: "zaincash", phone: "+9647701234567" } },
    ],
    ["payout", "GET", `/api/v1/payouts/${o.payout}`],
    ["payout", "POST", `/api/v1/payouts/${o.payout}/cancel`],
    ["event", "GET", `/api/v1/events/${o.event}`],
    ["event", "POST", `/api/v1/events/${o.event}/redeliver`],
    ["endpoint", "GET", `/api/v1/webhook-endpoints/${o.endpoint}`],
    ["endpoint", "PATCH", `/api/v1/webhook-endpoints/${o.endpoint}`, { description: "taken over" }],
    ["endpoint", "POST", `/api/v1/webhook-endpoints/${o.endpoint}/rotate-secret`],
    ["delivery", "GET", `/api/v1/webhook-endpoints/${o.endpoint}/deliveries`],
    ["endpoint", "DELETE", `/api/v1/webhook-endpoints/${o.endpoint}`],
  ];
}

/** The dashboard's routes on the owner's merchant (a JWT's): [kind, method, path, body]. */
function dashboardRoutes(o) {
  const m = `/api/v1/merchants/${o.merchant}`;
  return [
    ["merchant", "GET", m],
    ["merchant", "PATCH", m, { name: "taken over" }],
    ["api key", "GET", `${m}/api-keys`],
    ["api key", "POST", `${m}/api-keys`, { type: "secret", mode: "sandbox" }],
    ["api key", "DELETE", `${m}/api-keys/${o.api_key}`],
    ["member", "GET", `${m}/members`],
    ["member", "POST", `${m}/members`, { email: o.stranger_email, role: "owner" }],
    ["member", "DELETE", `${m}/members/${o.owner_account}`],
  ];
}

/** What the owner sees of each object: nothing may change under refused calls. */
async function snapshot(api, auth, jwt, o) {
  // (A refusal names its request: that id is not part of what the owner sees.)
  const read = async (path, headers) => (await api.definite("GET", path, undefined, headers)).text.replace(/"request_id":"[^"]*"/, "");
  const m = `/api/v1/merchants/${o.merchant}`;
  const paths = [
    `/api/v1/embedded/users/${o.user}/wallet`,
    `/api/v1/embedded/users/${o.other}/wallet`,
    `/api/v1/embedded/holds/${o.hold}`,
    `/api/v1/checkout/sessions/${o.open_session}`,
    `/api/v1/payment-intents/${o.intent}`,
    `/api/v1/payments/${o.payment}`,
    `/api/v1/payouts/${o.payout}`,
    `/api/v1/webhook-endpoints/${o.endpoint}`,
  ];
  return Promise.all([...paths.map((path) => read(path, auth)), ...[m, `${m}/api-keys`, `${m}/members`].map((path) => read(path, jwt))]);
}

/**
 * @param {ReturnType<typeof import("./client.mjs").client>} api @param {string} url the runtime's
 */
export async function tenancyPart(api, url) {
  const seeding = apiClient(url);
  const owner = await merchantWithKeys(api, seeding, "tenancy-owner");
  const stranger = await merchantWithKeys(api, seeding, "tenancy-stranger");
  const teammate = await merchantWithKeys(api, seeding, "tenancy-teammate");
  await seeding.close();
  const me = async (jwt) => (await api.definite("GET", "/api/v1/auth/me", undefined, jwt)).body.data;
  const [ownerAccount, strangerAccount, teammateAccount] = [await me(owner.jwt), await me(stranger.jwt), await me(teammate.jwt)];
  const objects = {
    ...(await objectsOf(api, owner)),
    merchant: owner.id,
    api_key: (await owner.key("publishable", "sandbox")).id,
    owner_account: ownerAccount.id,
    stranger_email: strangerAccount.email,
  };
  const revoked = await owner.key("secret", "sandbox");
  await api.definite("DELETE", `/api/v1/merchants/${owner.id}/api-keys/${revoked.id}`, undefined, owner.jwt);
  const live = await owner.key("secret", "live");
  const signing = await owner.key("signing", "sandbox");
  const livePublishable = await owner.key("publishable", "live");
  // The signing counterparts of the wrong secret keys: the same refusal, whichever way a key is sent.
  const strangerSigning = await stranger.key("signing", "sandbox");
  const revokedSigning = await owner.key("signing", "sandbox");
  await api.definite("DELETE", `/api/v1/merchants/${owner.id}/api-keys/${revokedSigning.id}`, undefined, owner.jwt);
  const liveSigning = await owner.key("signing", "live");

  // A team member who was an admin, then removed: the JWT they hold is still unexpired.
  const dashboardKey = { ...owner.jwt, "idempotency-key": randomUUID() };
  await api.definite("POST", `/api/v1/merchants/${owner.id}/members`, { email: teammateAccount.email, role: "admin" }, dashboardKey);
  const asMember = (await api.definite("GET", `/api/v1/merchants/${owner.id}`, undefined, teammate.jwt)).status;
  await api.definite("DELETE", `/api/v1/merchants/${owner.id}/members/${teammateAccount.id}`, undefined, owner.jwt);

  const bearer = (token) => () => ({ authorization: `Bearer ${token}` });
  const browserReads = new Set([`GET /api/v1/checkout/sessions/${objects.open_session}`, `GET /api/v1/payment-intents/${objects.intent}`]);
  /** Signed now, with a fresh nonce: the request is honoured as far as the key's rights go. */
  const signed = (key) => (method, path, body) => signatureHeaders(key, method, path, body, { nonce: randomUUID() });
  /** [name, headers for a request, expected statuses on the key routes, on the dashboard routes] */
  const credentials = [
    ["another merchant's secret key", bearer(stranger.secret_key), [404], [401]],
    ["another merchant's signing key (signed, fresh nonce)", signed(strangerSigning), [404], [401]],
    // The two checkout reads take a publishable key with the checkout's client_secret; without one: 400.
    [
      "the owner's publishable key",
      bearer(owner.publishable_key),
      (route) => (browserReads.has(`${route[1]} ${route[2]}`) ? [400] : [403]),
      [401],
    ],
    ["the owner's revoked secret key", bearer(revoked.secret), [401], [401]],
    ["the owner's revoked signing key (signed, fresh nonce)", signed(revokedSigning), [401], [401]],
    ["the owner's live key on sandbox objects", bearer(live.secret), [404, 403], [401]],
    ["the owner's live signing key on sandbox objects (signed, fresh nonce)", signed(liveSigning), [404, 403], [401]],
    [
      "a stale signature (the owner's signing key, 400 s old)",
      (method, path, body) =>
        signatureHeaders(signing, method, path, body, { timestamp: Math.floor(Date.now() / 1000) - SIGNATURE_WINDOW_SECONDS - 100 }),
      [401],
      [401],
    ],
    ["a removed team member's JWT", () => teammate.jwt, [401], [404]],
    ["another merchant's owner's JWT", () => stranger.jwt, [401], [404]],
  ];
  const ownerAuth = { authorization: `Bearer ${owner.secret_key}` };
  const violations = [];
  /** @type {Record<string, Record<string, number>>} */
  const statuses = {};
  let calls = 0;
  /** One refused call: the documented status, the error envelope, nothing of the object. */
  const refused = async (name, headers, [kind, method, path, body], expected) => {
    calls++;
    const text = method === "GET" || method === "DELETE" ? undefined : JSON.stringify(body ?? {});
    const res = await api.definite(method, path, text === undefined ? undefined : JSON.parse(text), {
      ...headers,
      ...(method === "GET" ? {} : { "idempotency-key": randomUUID() }),
    });
    if (typeof expected === "function") expected = expected([kind, method, path]);
    const seen = (statuses[name] ??= {});
    seen[res.status] = (seen[res.status] ?? 0) + 1;
    const problem = !expected.includes(res.status)
      ? `status ${res.status} ${res.body?.error?.code ?? ""}`
      : res.body?.success !== false
        ? "not an error envelope"
        : res.text.includes(MARKER)
          ? "the object's data in the refusal"
          : null;
    if (problem) violations.push(`${name}: ${kind} ${method} ${path} → ${problem}`);
  };

  const all = [...keyRoutes(objects).map((r) => [r, 0]), ...dashboardRoutes(objects).map((r) => [r, 1])];
  const before = await snapshot(api, ownerAuth, owner.jwt, objects);
  for (const [name, headersFor, ...expect] of credentials) {
    for (const [route, set] of all) {
      const [, method, path, body] = route;
      await refused(
        name,
        headersFor(method, path, method === "GET" || method === "DELETE" ? undefined : JSON.stringify(body ?? {})),
        route,
        expect[set],
      );
    }
  }
  // A browser's read of a checkout: the right client_secret does not open it to another merchant's
  // publishable key or to the owner's live one (404), and a wrong one is refused (403).
  const withSecret = (path, secret) => `${path}?client_secret=${encodeURIComponent(secret)}`;
  const readsWithSecrets = [
    ["session", "GET", `/api/v1/checkout/sessions/${objects.open_session}`, objects.open_session_secret],
    ["intent", "GET", `/api/v1/payment-intents/${objects.intent}`, objects.intent_secret],
  ];
  for (const [kind, method, path, secret] of readsWithSecrets) {
    await refused(
      "another merchant's publishable key, the checkout's client_secret",
      bearer(stranger.publishable_key)(),
      [kind, method, withSecret(path, secret)],
      [404],
    );
    await refused(
      "the owner's live publishable key, the checkout's client_secret",
      bearer(livePublishable.secret)(),
      [kind, method, withSecret(path, secret)],
      [404],
    );
    await refused(
      "the owner's publishable key, a wrong client_secret",
      bearer(owner.publishable_key)(),
      [kind, method, withSecret(path, `${secret}x`)],
      [403],
    );
  }
  const after = await snapshot(api, ownerAuth, owner.jwt, objects);
  let changed = after.filter((text, i) => text !== before[i]).length;
  if (changed) violations.push(`${changed} object(s) changed by the refused calls`);

  // A replayed signature: the owner's signed request goes through once (its effect is the
  // owner's); the same bytes again are refused and change nothing. Without a nonce, then with one
  // (the same nonce again is a replay too). The endpoint's DELETE is last; in the second round its
  // object is gone, and only the replay's refusal is at stake.
  const replays = [
    ["a replayed signature (the owner's, already used)", undefined],
    ["a replayed signature with its nonce (the owner's, already used)", () => randomUUID()],
  ];
  for (const [replay, nonce] of replays)
    for (const route of keyRoutes(objects)) {
      const [, method, path, body] = route;
      const text = method === "GET" || method === "DELETE" ? undefined : JSON.stringify(body ?? {});
      const headers = {
        ...signatureHeaders(signing, method, path, text, { nonce: nonce?.() }),
        ...(method === "GET" ? {} : { "idempotency-key": randomUUID() }),
      };
      const first = await api.definite(method, path, text === undefined ? undefined : JSON.parse(text), headers);
      if (first.status === 401) violations.push(`${replay}: ${method} ${path} → the first use was refused (${first.body?.error?.code})`);
      // (A transfer's credit lands a moment after its answer: wait until the owner's view is still.)
      let settled = await snapshot(api, ownerAuth, owner.jwt, objects);
      for (let i = 0; i < 50; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const now = await snapshot(api, ownerAuth, owner.jwt, objects);
        if (now.every((t, j) => t === settled[j])) break;
        settled = now;
      }
      await refused(replay, headers, route, [401]);
      const again = await snapshot(api, ownerAuth, owner.jwt, objects);
      const moved = again.filter((t, i) => t !== settled[i]).length;
      if (moved) violations.push(`${replay}: ${method} ${path} → ${moved} object(s) changed`);
      changed += moved;
    }
  if (asMember !== 200)
    violations.push(`the teammate could not read the merchant while a member (${asMember}): the removed-member column proves nothing`);
  const routeCount = all.length;
  const signedNames = [
    ...credentials.filter(([name]) => /signed|signature/.test(name)).map(([name]) => name),
    ...replays.map(([name]) => name),
  ];
  return {
    credentials: credentials.length + replays.length,
    signed_credentials: signedNames.length,
    routes: routeCount,
    kinds: new Set(all.map(([r]) => r[0])).size,
    calls,
    signed_calls: signedNames.reduce((n, name) => n + Object.values(statuses[name] ?? {}).reduce((a, b) => a + b, 0), 0),
    objects_changed: changed,
    statuses,
    violations: violations.length,
    details: violations.slice(0, 30),
  };
}
