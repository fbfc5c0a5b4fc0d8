// Tenancy: one merchant's objects of every kind, then every route that reads or acts on them,
// called with credentials that must not reach them — another merchant's secret key, the owner's
// publishable key, a revoked secret key, the owner's live key. Each answer must be the documented
// refusal, carry nothing of the object, and change nothing.
import { randomUUID } from "node:crypto";
import { apiClient } from "../../bench/seed.mjs";
import { MARKER, merchantWithKeys, objectsOf } from "./fixtures.mjs";

/** Every route on the owner's objects: [kind, method, path, body]. */
function routes(o) {
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
    ["session", "POST", "/api/v1/checkout/sessions", { external_user_id: o.user, amount: 5, currency: "IQD", success_url: "https://x.example/ok", cancel_url: "https://x.example/no" }],
    ["session", "GET", `/api/v1/checkout/sessions/${o.open_session}`],
    ["session", "POST", `/api/v1/checkout/sessions/${o.open_session}/expire`],
    ["intent", "GET", `/api/v1/payment-intents/${o.intent}`],
    ["intent", "POST", `/api/v1/payment-intents/${o.intent}/cancel`],
    ["payment", "GET", `/api/v1/payments/${o.payment}`],
    ["payment", "POST", `/api/v1/payments/${o.payment}/void`],
    ["payment", "POST", `/api/v1/payments/${o.payment}/refund`, { amount: 1, reason: "tenancy" }],
    ["refund", "GET", `/api/v1/payments/${o.payment}/refunds`],
    ["event", "GET", `/api/v1/events/${o.event}`],
    ["event", "POST", `/api/v1/events/${o.event}/redeliver`],
    ["endpoint", "GET", `/api/v1/webhook-endpoints/${o.endpoint}`],
    ["endpoint", "PATCH", `/api/v1/webhook-endpoints/${o.endpoint}`, { description: "taken over" }],
    ["endpoint", "POST", `/api/v1/webhook-endpoints/${o.endpoint}/rotate-secret`],
    ["delivery", "GET", `/api/v1/webhook-endpoints/${o.endpoint}/deliveries`],
    ["endpoint", "DELETE", `/api/v1/webhook-endpoints/${o.endpoint}`],
  ];
}

/** What the owner sees of each object before and after: nothing may have changed. */
async function snapshot(api, auth, o) {
  const read = async (path) => (await api.definite("GET", path, undefined, auth)).text;
  const paths = [
    `/api/v1/embedded/users/${o.user}/wallet`, `/api/v1/embedded/users/${o.other}/wallet`, `/api/v1/embedded/holds/${o.hold}`,
    `/api/v1/checkout/sessions/${o.open_session}`, `/api/v1/payment-intents/${o.intent}`, `/api/v1/payments/${o.payment}`,
    `/api/v1/webhook-endpoints/${o.endpoint}`,
  ];
  return Promise.all(paths.map(read));
}

/**
 * @param {ReturnType<typeof import("./client.mjs").client>} api @param {string} url the runtime's
 */
export async function tenancyPart(api, url) {
  const seeding = apiClient(url);
  const owner = await merchantWithKeys(api, seeding, "tenancy-owner");
  const stranger = await merchantWithKeys(api, seeding, "tenancy-stranger");
  await seeding.close();
  const objects = await objectsOf(api, owner);
  const revoked = await owner.key("secret", "sandbox");
  await api.definite("DELETE", `/api/v1/merchants/${owner.id}/api-keys/${revoked.id}`, undefined, owner.jwt);
  const live = await owner.key("secret", "live");
  const credentials = [
    { name: "another merchant's secret key", key: stranger.secret_key, expect: [404] },
    { name: "the owner's publishable key", key: owner.publishable_key, expect: [403] },
    { name: "the owner's revoked secret key", key: revoked.secret, expect: [401] },
    { name: "the owner's live key on sandbox objects", key: live.secret, expect: [404, 403] },
  ];
  const ownerAuth = { authorization: `Bearer ${owner.secret_key}` };
  const before = await snapshot(api, ownerAuth, objects);
  const violations = [];
  /** @type {Record<string, Record<string, number>>} */
  const statuses = {};
  let calls = 0;
  for (const credential of credentials) {
    for (const [kind, method, path, body] of routes(objects)) {
      calls++;
      const headers = { authorization: `Bearer ${credential.key}`, ...(method === "GET" ? {} : { "idempotency-key": randomUUID() }) };
      const res = await api.definite(method, path, method === "GET" || method === "DELETE" ? undefined : (body ?? {}), headers);
      const seen = (statuses[credential.name] ??= {});
      seen[res.status] = (seen[res.status] ?? 0) + 1;
      const problem = !credential.expect.includes(res.status)
        ? `status ${res.status} ${res.body?.error?.code ?? ""}`
        : res.body?.success !== false
          ? "not an error envelope"
          : res.text.includes(MARKER)
            ? "the object's data in the refusal"
            : null;
      if (problem) violations.push(`${credential.name}: ${kind} ${method} ${path} → ${problem}`);
    }
  }
  const after = await snapshot(api, ownerAuth, objects);
  const changed = after.filter((text, i) => text !== before[i]).length;
  if (changed) violations.push(`${changed} object(s) changed by refused calls`);
  return { credentials: credentials.length, routes: routes(objects).length, kinds: new Set(routes(objects).map((r) => r[0])).size, calls, objects_changed: changed, statuses, violations: violations.length, details: violations.slice(0, 30) };
}
