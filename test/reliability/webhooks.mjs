// Webhooks under failure: a receiver that fails half of its requests at random, plus an outage
// during which it answers nothing but 503, with the retry schedule shrunk (WEBHOOK_RETRY_SCALE) so
// 28 hours of retries pass in seconds. Every event must end delivered (verified with
// `standardwebhooks`) or dead-lettered in the delivery log: 100 %, nothing in between.
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { sleep } from "./client.mjs";

const HOLDS = 200;
const OUTAGE_MS = 3_000;

function flakyReceiver() {
  /** @type {Webhook | null} */
  let webhook = null;
  let outage_until_ms = 0;
  const delivered = new Set();
  const tally = { requests: 0, failed_on_purpose: 0, outage_503: 0, invalid: 0 };
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    tally.requests++;
    if (performance.now() < outage_until_ms) return (tally.outage_503++, res.writeHead(503).end());
    if (Math.random() < 0.5) return (tally.failed_on_purpose++, res.writeHead(500).end("flaky"));
    try {
      const event = /** @type {any} */ (/** @type {Webhook} */ (webhook).verify(body, /** @type {Record<string, string>} */ (req.headers)));
      delivered.add(event.id);
      res.writeHead(204).end();
    } catch {
      tally.invalid++;
      res.writeHead(400).end();
    }
  });
  return {
    server,
    delivered,
    tally,
    /** @param {string} secret */
    use: (secret) => (webhook = new Webhook(secret)),
    outage: () => (outage_until_ms = performance.now() + OUTAGE_MS),
  };
}

/**
 * @param {ReturnType<typeof import("./client.mjs").client>} api @param {{ secret_key: string }} merchant
 */
export async function webhooksPart(api, merchant) {
  const auth = { authorization: `Bearer ${merchant.secret_key}` };
  const receiver = flakyReceiver();
  await new Promise((resolve) => receiver.server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const port = /** @type {import("node:net").AddressInfo} */ (receiver.server.address()).port;
  try {
    const endpoint = (await api.definite("POST", "/api/v1/webhook-endpoints", { url: `http://127.0.0.1:${port}/hooks`, events: ["hold.created"] }, { ...auth, "idempotency-key": randomUUID() })).body.data;
    receiver.use(endpoint.secret);
    const user = `hooks_${randomUUID().slice(0, 8)}`;
    await api.definite("POST", "/api/v1/embedded/users/sync", { external_id: user, full_name: user }, auth);
    await api.definite("POST", `/api/v1/embedded/users/${user}/wallet/top-ups`, { amount: 1_000_000, currency: "IQD" }, { ...auth, "idempotency-key": randomUUID() });
    for (let i = 0; i < HOLDS; i++) {
      if (i === HOLDS / 4) receiver.outage();
      await api.definite("POST", "/api/v1/embedded/holds", { user_id: user, amount: 1, currency: "IQD" }, { ...auth, "idempotency-key": randomUUID() });
    }
    // Every hold.created of this merchant, from the events index.
    const event_ids = new Set();
    for (let i = 0; i < 100 && event_ids.size < HOLDS; i++) {
      for (let page = 1; page <= Math.ceil(HOLDS / 100); page++) {
        const res = await api.definite("GET", `/api/v1/events?type=hold.created&per_page=100&page=${page}`, undefined, auth);
        for (const e of res.body.data.events) event_ids.add(e.id);
      }
      if (event_ids.size < HOLDS) await sleep(200);
    }
    // Wait for each to end: delivered, or given up in the log.
    const dead = new Set();
    const settled = () => [...event_ids].every((id) => receiver.delivered.has(id) || dead.has(id));
    const deadline = performance.now() + 180_000;
    while (!settled() && performance.now() < deadline) {
      await sleep(1_000);
      for (let page = 1; ; page++) {
        const res = await api.definite("GET", `/api/v1/webhook-endpoints/${endpoint.id}/deliveries?per_page=100&page=${page}`, undefined, auth);
        for (const d of res.body.data.deliveries) if (d.outcome === "dead_lettered") dead.add(d.event_id);
        if (page >= res.body.data.pagination.total_pages) break;
      }
    }
    const unsettled = [...event_ids].filter((id) => !receiver.delivered.has(id) && !dead.has(id));
    return {
      events: event_ids.size,
      holds: HOLDS,
      delivered: [...event_ids].filter((id) => receiver.delivered.has(id)).length,
      dead_lettered: [...event_ids].filter((id) => !receiver.delivered.has(id) && dead.has(id)).length,
      unsettled: unsettled.length,
      receiver: receiver.tally,
      violations: unsettled.length + receiver.tally.invalid + (event_ids.size === HOLDS ? 0 : 1),
    };
  } finally {
    await new Promise((resolve) => receiver.server.close(() => resolve(undefined)));
  }
}
