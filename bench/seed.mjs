// Seeds data through the public API, the way an integrator would: an account, a merchant and its
// secret key, users with wallets, sandbox top-ups, and (for the history scenarios) many holds.
import { randomUUID } from "node:crypto";
import { Pool } from "undici";
import { closedLoop } from "./load.mjs";

const PASSWORD = "Bench-Pass-2026!";

/** @param {string} origin */
export function apiClient(origin) {
  const pool = new Pool(origin, { connections: 32, pipelining: 1 });
  /**
   * @param {string} method @param {string} path @param {unknown} [body]
   * @param {Record<string, string>} [headers]
   * @returns {Promise<{ status: number, headers: Record<string, string | string[] | undefined>, body: any, ms: number }>}
   */
  const call = async (method, path, body, headers = {}) => {
    const started = performance.now();
    const res = await pool.request({
      method,
      path,
      headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    const ms = performance.now() - started;
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the text: an error page is still worth printing
    }
    return { status: res.statusCode, headers: res.headers, body: parsed, ms };
  };
  return { call, close: () => pool.close() };
}

/** @param {{ status: number, body: any }} res @param {number} expected @param {string} what */
function expect(res, expected, what) {
  if (res.status !== expected)
    throw new Error(`${what}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  return res.body.data;
}

/**
 * register -> login -> create merchant: returns its sandbox keys and the owner's dashboard token.
 * @param {ReturnType<typeof apiClient>} api @param {string} label
 */
export async function seedMerchant(api, label) {
  const email = `${label}-${randomUUID().slice(0, 8)}@bench.local`;
  expect(await api.call("POST", "/api/v1/auth/register", { email, password: PASSWORD, name: `Bench ${label}` }), 201, "register");
  const login = expect(await api.call("POST", "/api/v1/auth/login", { email, password: PASSWORD }), 200, "login");
  const merchant = expect(
    await api.call("POST", "/api/v1/merchants", { name: `Bench ${label}` }, { authorization: `Bearer ${login.access_token}` }),
    201,
    "create merchant",
  );
  return {
    merchant_id: merchant.id,
    secret_key: merchant.secret_key,
    publishable_key: merchant.publishable_key,
    access_token: login.access_token,
  };
}

/**
 * Runs `task` over `items` with at most `concurrency` in flight.
 * @template T @param {T[]} items @param {number} concurrency @param {(item: T) => Promise<void>} task
 */
export async function eachLimited(items, concurrency, task) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Syncs users (creating their wallets) and tops each up (sandbox; at most 10^12 IQD per top-up).
 * @param {ReturnType<typeof apiClient>} api @param {string} secret_key
 * @param {string[]} external_ids @param {number} amount
 */
export async function seedUsers(api, secret_key, external_ids, amount, concurrency = 16) {
  const auth = { authorization: `Bearer ${secret_key}` };
  await eachLimited(external_ids, concurrency, async (external_id) => {
    expect(
      await api.call("POST", "/api/v1/embedded/users/sync", { external_id, full_name: `Bench ${external_id}` }, auth),
      201,
      `sync ${external_id}`,
    );
    expect(
      await api.call("POST", `/api/v1/embedded/users/${encodeURIComponent(external_id)}/wallet/top-ups`, { amount, currency: "IQD" }, auth),
      201,
      `top up ${external_id}`,
    );
  });
}

/**
 * Places `count` holds of 1 IQD on one wallet at high concurrency (each writes a hold row and a
 * ledger entry), leaving them active.
 * @param {string} origin @param {string} secret_key @param {string} user_id @param {number} count
 */
export async function seedHolds(origin, secret_key, user_id, count) {
  const result = await closedLoop({
    url: origin,
    connections: 32,
    amount: count,
    requests: [
      {
        method: "POST",
        path: "/api/v1/embedded/holds",
        headers: { authorization: `Bearer ${secret_key}`, "content-type": "application/json" },
        body: JSON.stringify({ user_id, amount: 1, currency: "IQD" }),
      },
    ],
  });
  if ((result.statuses[201] ?? 0) !== count) throw new Error(`seeding ${count} holds: got statuses ${JSON.stringify(result.statuses)}`);
  return result;
}
