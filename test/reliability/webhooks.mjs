// Webhooks under failure: a receiver that fails half of its requests at random, plus an outage
// during which it answers nothing but 503, with the retry schedule shrunk (WEBHOOK_RETRY_SCALE) so
// 28 hours of retries pass in seconds. Every event must end delivered (verified with
// `standardwebhooks`) or dead-lettered in the delivery log: 100 %, nothing in between.
import { randomUUID } from "node:crypto";
import { startReceiver } from "../../bench/flows.mjs";
import { sleep } from "./client.mjs";
import { effectBook } from "./events.mjs";

const HOLDS = 200;
const OUTAGE_MS = 3_000;

/**
 * @param {ReturnType<typeof import("./client.mjs").client>} api @param {{ secret_key: string }} merchant
 * @param {import("./events.mjs").EffectBook} [effects] where the holds (and the user's sync) are noted
 */
export async function webhooksPart(api, merchant, effects = effectBook("webhooks", merchant.secret_key)) {
  const auth = { authorization: `Bearer ${merchant.secret_key}` };
  let outage_until_ms = 0;
  // Half of all deliveries fail at random, and during the outage every one does.
  const refuse = () => (performance.now() < outage_until_ms ? 503 : Math.random() < 0.5 ? 500 : null);
  const receiver = await startReceiver({ refuse, keep: true });
  try {
    const endpoint = (
      await api.definite(
        "POST",
        "/api/v1/webhook-endpoints",
        { url: receiver.url, events: ["hold.created"] },
        { ...auth, "idempotency-key": randomUUID() },
      )
    ).body.data;
    receiver.use(endpoint.secret);
    const user = `hooks_${randomUUID().slice(0, 8)}`;
    effects.synced(await api.definite("POST", "/api/v1/embedded/users/sync", { external_id: user, full_name: user }, auth));
    await api.definite(
      "POST",
      `/api/v1/embedded/users/${user}/wallet/top-ups`,
      { amount: 1_000_000, currency: "IQD" },
      { ...auth, "idempotency-key": randomUUID() },
    );
    for (let i = 0; i < HOLDS; i++) {
      if (i === HOLDS / 4) outage_until_ms = performance.now() + OUTAGE_MS;
      const hold = await api.definite(
        "POST",
        "/api/v1/embedded/holds",
        { user_id: user, amount: 1, currency: "IQD" },
        { ...auth, "idempotency-key": randomUUID() },
      );
      if (hold.status === 201) effects.expect("hold.created", hold.body.data.id);
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
    const settled = () => [...event_ids].every((id) => receiver.arrivals.has(id) || dead.has(id));
    const deadline = performance.now() + 180_000;
    while (!settled() && performance.now() < deadline) {
      await sleep(1_000);
      for (let page = 1; ; page++) {
        const res = await api.definite(
          "GET",
          `/api/v1/webhook-endpoints/${endpoint.id}/deliveries?per_page=100&page=${page}`,
          undefined,
          auth,
        );
        for (const d of res.body.data.deliveries) if (d.outcome === "dead_lettered") dead.add(d.event_id);
        if (page >= res.body.data.pagination.total_pages) break;
      }
    }
    const unsettled = [...event_ids].filter((id) => !receiver.arrivals.has(id) && !dead.has(id));
    return {
      events: event_ids.size,
      holds: HOLDS,
      delivered: [...event_ids].filter((id) => receiver.arrivals.has(id)).length,
      dead_lettered: [...event_ids].filter((id) => !receiver.arrivals.has(id) && dead.has(id)).length,
      unsettled: unsettled.length,
      receiver: {
        requests: receiver.tally.deliveries,
        failed_on_purpose: receiver.tally.refused[500] ?? 0,
        outage_503: receiver.tally.refused[503] ?? 0,
        invalid: receiver.tally.invalid,
      },
      violations: unsettled.length + receiver.tally.invalid + (event_ids.size === HOLDS ? 0 : 1),
      /** Every verified delivery with its webhook-id, for the events part (not part of the record). */
      log: receiver.log,
    };
  } finally {
    await receiver.close();
  }
}
