// What is measured. Workloads are autocannon request sequences (closed loop) or schedules (open
// loop); groups pair app workloads with their floor so run.mjs can alternate them in rounds.
import { randomUUID } from "node:crypto";
import { closedLoop, openLoop, summarize } from "./load.mjs";

export const CONCURRENCY = [1, 8, 32];
const HOLDS = "/api/v1/embedded/holds";

// ---- workloads ----------------------------------------------------------------------------------

/**
 * A hold of 1 IQD then its release, on one wallet or a random one of many. Each HTTP request is
 * one count. With `keyed`, every request carries a fresh Idempotency-Key (the realistic client).
 * @param {{ secret_key: string, users: string[], keyed: boolean }} options
 * @returns {import("autocannon").Request[]}
 */
export function appHoldRelease({ secret_key, users, keyed }) {
  const headers = (json) => ({
    authorization: `Bearer ${secret_key}`,
    ...(json ? { "content-type": "application/json" } : {}),
    ...(keyed ? { "idempotency-key": randomUUID() } : {}),
  });
  return [
    {
      method: "POST",
      path: HOLDS,
      setupRequest(req) {
        const user_id = users.length === 1 ? users[0] : users[Math.floor(Math.random() * users.length)];
        return { ...req, headers: headers(true), body: JSON.stringify({ user_id, amount: 1, currency: "IQD" }) };
      },
      onResponse(status, body, context) {
        context.hold = status === 201 ? JSON.parse(body).data.id : null;
      },
    },
    {
      method: "POST",
      // A refused hold has nothing to release: returning null restarts the sequence.
      setupRequest(req, context) {
        return context.hold ? { ...req, path: `${HOLDS}/${context.hold}/release`, headers: headers(false), body: undefined } : null;
      },
    },
  ];
}

/**
 * The same sequence against the bare object floor. Its hold ids do not name their wallet, so the
 * release carries the wallet name.
 * @param {{ wallets: number }} options
 * @returns {import("autocannon").Request[]}
 */
export function floorHoldRelease({ wallets }) {
  return [
    {
      method: "POST",
      path: "/hold?w=hot",
      setupRequest(req, context) {
        context.wallet = wallets === 1 ? "hot" : `w${Math.floor(Math.random() * wallets)}`;
        return { ...req, path: `/hold?w=${context.wallet}` };
      },
      onResponse(status, body, context) {
        context.hold = status === 201 ? JSON.parse(body).data.id : null;
      },
    },
    {
      method: "POST",
      setupRequest(req, context) {
        return context.hold ? { ...req, path: `/release/${context.hold}?w=${context.wallet}` } : null;
      },
    },
  ];
}

/**
 * Open-loop schedule on one wallet: odd slots release the oldest hold answered so far (or hold if
 * none is left), even slots hold. Every slot is one request on the fixed schedule.
 * @param {{ hold: () => { path: string, headers?: Record<string, string>, body?: string },
 *   release: (id: string) => { path: string, headers?: Record<string, string> } }} paths
 * @returns {(i: number) => import("./load.mjs").OpenLoopRequest}
 */
function alternatingHoldRelease({ hold, release }) {
  /** @type {string[]} */
  const active = [];
  return (i) => {
    if (i % 2 === 1 && active.length > 0) return { method: "POST", ...release(/** @type {string} */ (active.shift())) };
    return {
      method: "POST",
      ...hold(),
      onResponse(status, text) {
        if (status === 201) active.push(JSON.parse(text).data.id);
      },
    };
  };
}

/** @param {string} secret_key @param {string} user_id @param {boolean} keyed */
export function appOpenLoop(secret_key, user_id, keyed = false) {
  const auth = () => ({ authorization: `Bearer ${secret_key}`, ...(keyed ? { "idempotency-key": randomUUID() } : {}) });
  return alternatingHoldRelease({
    hold: () => ({
      path: HOLDS,
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({ user_id, amount: 1, currency: "IQD" }),
    }),
    release: (id) => ({ path: `${HOLDS}/${id}/release`, headers: auth() }),
  });
}

export function floorOpenLoop() {
  return alternatingHoldRelease({ hold: () => ({ path: "/hold?w=hot" }), release: (id) => ({ path: `/release/${id}?w=hot` }) });
}

// ---- closed-loop groups ---------------------------------------------------------------------------

/**
 * @typedef {{ id: string, title: string, target: "app" | "floor", connections: number,
 *   requests: () => import("autocannon").Request[] }} Run
 * @typedef {{ id: string, floor: Run | null, apps: Run[] }} Group
 */

/**
 * @param {{ secret_key: string, hot: string, zero: string, big: string, spread: string[], big_holds: number }} seeded
 * @returns {Group[]}
 */
export function closedLoopGroups(seeded) {
  /** @type {Group[]} */
  const groups = [];
  const wallets = seeded.spread.length;
  for (const c of CONCURRENCY) {
    groups.push({
      id: `hot@${c}`,
      floor: {
        id: `floor.hot@${c}`,
        title: "floor: bare object hold + release, 1 wallet",
        target: "floor",
        connections: c,
        requests: () => floorHoldRelease({ wallets: 1 }),
      },
      apps: [false, true].map((keyed) => ({
        id: `hot${keyed ? ".keyed" : ""}@${c}`,
        title: `hot wallet hold + release${keyed ? ", Idempotency-Key" : ""}`,
        target: /** @type {const} */ ("app"),
        connections: c,
        requests: () => appHoldRelease({ secret_key: seeded.secret_key, users: [seeded.hot], keyed }),
      })),
    });
  }
  for (const c of CONCURRENCY) {
    groups.push({
      id: `spread@${c}`,
      floor: {
        id: `floor.spread@${c}`,
        title: `floor: bare object hold + release, ${wallets} wallets`,
        target: "floor",
        connections: c,
        requests: () => floorHoldRelease({ wallets }),
      },
      apps: [false, true].map((keyed) => ({
        id: `spread${keyed ? ".keyed" : ""}@${c}`,
        title: `hold + release over ${wallets} wallets${keyed ? ", Idempotency-Key" : ""}`,
        target: /** @type {const} */ ("app"),
        connections: c,
        requests: () => appHoldRelease({ secret_key: seeded.secret_key, users: seeded.spread, keyed }),
      })),
    });
  }
  // Cost must not grow with history: the same workload on a fresh wallet and on one with many
  // active holds and entries, back to back.
  groups.push({
    id: "history@8",
    floor: null,
    apps: [
      {
        id: "history.empty@8",
        title: "hold + release, wallet with 0 active holds",
        target: "app",
        connections: 8,
        requests: () => appHoldRelease({ secret_key: seeded.secret_key, users: [seeded.zero], keyed: false }),
      },
      {
        id: "history.full@8",
        title: `hold + release, wallet with ${seeded.big_holds.toLocaleString("en")} active holds`,
        target: "app",
        connections: 8,
        requests: () => appHoldRelease({ secret_key: seeded.secret_key, users: [seeded.big], keyed: false }),
      },
    ],
  });
  // The cheapest possible answers, for scale: the framework on a trivial route, and one D1 write.
  groups.push({
    id: "trivial@8",
    floor: {
      id: "floor.json@8",
      title: "floor: plain route, small JSON",
      target: "floor",
      connections: 8,
      requests: () => [{ method: "GET", path: "/json" }],
    },
    apps: [
      { id: "health@8", title: "app GET /health", target: "app", connections: 8, requests: () => [{ method: "GET", path: "/health" }] },
    ],
  });
  groups.push({
    id: "d1@8",
    floor: {
      id: "floor.d1@8",
      title: "floor: bare D1 insert route",
      target: "floor",
      connections: 8,
      requests: () => [{ method: "POST", path: "/d1" }],
    },
    apps: [],
  });
  return groups;
}

/**
 * @param {Run} run @param {{ appUrl: string, floorUrl: string }} urls @param {number} duration_s
 */
export function measureRun(run, urls, duration_s) {
  return closedLoop({
    url: run.target === "app" ? urls.appUrl : urls.floorUrl,
    connections: run.connections,
    duration_s,
    requests: run.requests(),
  });
}

// ---- transactions page ----------------------------------------------------------------------------

// Pages a dashboard asks for: the first page with each filter combination (the goal applies to
// these), and a page from the middle of the history (a large OFFSET), reported on its own.
const FIRST_PAGES = [
  "per_page=20",
  "per_page=100",
  "currency=IQD&per_page=100",
  "type=hold&per_page=20",
  "currency=IQD&type=hold&per_page=100",
];

/**
 * Latency of the transactions list on the wallet of many entries.
 *
 * The route allows 60 requests a minute per merchant, and only the wallet's own merchant may read
 * it. Spreading the load over more merchants would need a 100,000-entry wallet for each (about a
 * minute and a half of seeding apiece), and requests past the limit are answered 429 before the
 * wallet is read, so they would only measure the limiter. So this samples sequentially (one
 * request at a time: the latency of a page, not of a queue), 50 requests per batch to stay under
 * the limit, and run.mjs takes one batch per round at least a minute apart. With 50-150 samples the
 * p99 is close to the maximum: a conservative figure.
 * @param {ReturnType<typeof import("./seed.mjs").apiClient>} api
 * @param {{ secret_key: string, big: string }} seeded
 */
export async function sampleTransactions(api, seeded, batch = 50) {
  const auth = { authorization: `Bearer ${seeded.secret_key}` };
  const base = `/api/v1/embedded/users/${encodeURIComponent(seeded.big)}/transactions`;
  /**
   * @type {{ first: number[], deep: number[], after_idle_ms: number | null, statuses: Record<string, number>, total: number | null,
   *   deep_page: number }}
   */
  const out = { first: [], deep: [], after_idle_ms: null, statuses: {}, total: null, deep_page: 1 };
  // A batch follows a minute's pause (the rate limit), after which the wallet's object (and the
  // limiter's) may have been put to sleep: the first request wakes them (measured ≈ 40 ms on
  // 12,000 entries). It is reported on its own, as the cost of a cold object, not of the page.
  const wake = await api.call("GET", `${base}?per_page=20`, undefined, auth);
  out.statuses[wake.status] = (out.statuses[wake.status] ?? 0) + 1;
  out.after_idle_ms = wake.ms;
  for (let i = 0; i < batch; i++) {
    // Every fifth request reads the middle of the history, once the first answer told its size.
    const deep = i % 5 === 4 && out.total != null;
    const query = deep ? `page=${out.deep_page}&per_page=100` : FIRST_PAGES[i % FIRST_PAGES.length];
    const res = await api.call("GET", `${base}?${query}`, undefined, auth);
    out.statuses[res.status] = (out.statuses[res.status] ?? 0) + 1;
    if (res.status !== 200) continue;
    if (out.total == null) {
      out.total = res.body.data.pagination?.total ?? null;
      out.deep_page = Math.max(1, Math.floor((out.total ?? 0) / 200));
    }
    (deep ? out.deep : out.first).push(res.ms);
  }
  return out;
}

// ---- open loop and overload -----------------------------------------------------------------------

/**
 * @param {{ appUrl: string, floorUrl: string }} urls @param {{ secret_key: string, hot: string }} seeded
 * @param {"app" | "floor"} target @param {number} rate @param {number} duration_s
 */
export function openLoopRun(urls, seeded, target, rate, duration_s) {
  return target === "app"
    ? openLoop({ origin: urls.appUrl, rate, duration_s, next: appOpenLoop(seeded.secret_key, seeded.hot) })
    : openLoop({ origin: urls.floorUrl, rate, duration_s, next: floorOpenLoop() });
}

/**
 * Twice what the hot wallet sustains, open loop: the answer must be a fast refusal (429/503 with
 * Retry-After), never a 5xx or a timeout.
 * @param {{ appUrl: string }} urls @param {{ secret_key: string, hot: string }} seeded
 * @param {number} rate @param {number} duration_s
 */
export function overloadRun(urls, seeded, rate, duration_s) {
  return openLoop({ origin: urls.appUrl, rate, duration_s, next: appOpenLoop(seeded.secret_key, seeded.hot), connections: 1024 });
}

export { summarize };
