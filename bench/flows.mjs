// Scenarios that span several objects: a card payment from intent to capture, and webhook fan-out
// from a wallet's commit to a receiver on localhost.
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";
import { closedLoop, summarize } from "./load.mjs";

const TEST_CARD = { number: "4242 4242 4242 4242", exp_month: 12, exp_year: 2035, cvc: "123", name: "Bench Buyer" };
const PAYMENT_AMOUNT = 1000;

/**
 * One merchant integration per iteration, as a merchant's server and a buyer's app do it: create a
 * payment intent, pay it with the sandbox's approving test card (the buyer), read the intent to
 * learn its payment (the merchant checks before capturing), capture it. Each connection is one
 * such flow at a time.
 * @param {{ secret_key: string }} options @param {{ capture_ms: number[], flows: number, failures: Record<string, number> }} tally
 * @returns {import("autocannon").Request[]}
 */
function intentPayCapture({ secret_key }, tally) {
  const auth = { authorization: `Bearer ${secret_key}` };
  const json = { ...auth, "content-type": "application/json" };
  const fail = (step, status) => {
    const key = `${step} ${status}`;
    tally.failures[key] = (tally.failures[key] ?? 0) + 1;
  };
  return [
    {
      method: "POST",
      path: "/api/v1/payment-intents",
      headers: json,
      body: JSON.stringify({
        amount: PAYMENT_AMOUNT,
        currency: "IQD",
        success_url: "https://shop.example/ok",
        cancel_url: "https://shop.example/cancel",
      }),
      onResponse(status, body, context) {
        context.intent = status === 201 ? JSON.parse(body).data : null;
        if (!context.intent) fail("create", status);
      },
    },
    {
      method: "POST",
      setupRequest(req, context) {
        if (!context.intent) return null;
        const body = JSON.stringify({ client_secret: context.intent.client_secret, method: "card", card: TEST_CARD });
        return { ...req, path: `/checkout/${context.intent.id}/pay`, headers: { "content-type": "application/json" }, body };
      },
      onResponse(status, body, context) {
        context.authorized = status === 200 && JSON.parse(body).data.status === "authorized";
        if (!context.authorized) fail("pay", status);
      },
    },
    {
      method: "GET",
      setupRequest(req, context) {
        return context.authorized ? { ...req, path: `/api/v1/payment-intents/${context.intent.id}`, headers: auth, body: undefined } : null;
      },
      onResponse(status, body, context) {
        context.payment = status === 200 ? JSON.parse(body).data.payment_id : null;
        if (!context.payment) fail("read", status);
      },
    },
    {
      method: "POST",
      setupRequest(req, context) {
        if (!context.payment) return null;
        context.capture_started_ms = performance.now();
        return { ...req, path: `/api/v1/payments/${context.payment}/capture`, headers: json, body: "{}" };
      },
      onResponse(status, _body, context) {
        if (status !== 200) return fail("capture", status);
        tally.capture_ms.push(performance.now() - context.capture_started_ms);
        tally.flows++;
      },
    },
  ];
}

/**
 * @param {string} appUrl @param {{ secret_key: string }} merchant @param {number} connections @param {number} duration_s
 */
export async function measurePaymentFlow(appUrl, merchant, connections, duration_s) {
  const tally = { capture_ms: /** @type {number[]} */ ([]), flows: 0, failures: /** @type {Record<string, number>} */ ({}) };
  const run = await closedLoop({ url: appUrl, connections, duration_s, requests: intentPayCapture(merchant, tally) });
  const capture = summarize(tally.capture_ms);
  return {
    connections,
    elapsed_s: run.elapsed_s,
    flows: tally.flows,
    flows_per_s: tally.flows / run.elapsed_s,
    rps: run.rps,
    p99_ms: run.p99_ms,
    capture_p50_ms: capture.p50_ms,
    capture_p99_ms: capture.p99_ms,
    failures: tally.failures,
    statuses: run.statuses,
    errors: run.errors,
  };
}

// ---- webhook fan-out ---------------------------------------------------------------------------

/**
 * A webhook receiver on a loopback port, as a merchant runs one: verifies each delivery with the
 * `standardwebhooks` package and notes when each event first arrived. Its secret is set once the
 * endpoint pointing at it exists (`use(whsec_…)`). `refuse`, asked before each delivery, may
 * return a status to fail it with (the reliability harness's flaky receiver). With `keep`, every
 * verified delivery, refused or not, is also logged with its `webhook-id` (the reliability
 * harness's events part).
 * @param {{ refuse?: () => number | null, keep?: boolean }} [options]
 */
export async function startReceiver({ refuse, keep = false } = {}) {
  /** @type {Webhook | null} */
  let webhook = null;
  /** @type {Map<string, { arrived_ms: number, object_id: string }>} */
  const arrivals = new Map();
  const tally = { deliveries: 0, invalid: 0, /** @type {Record<number, number>} */ refused: {} };
  /**
   * @type {{ webhook_id: string, event: any, refused: number | null }[]} every verified delivery, refused ones and retries
   *   included (with `keep`)
   */
  const log = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    tally.deliveries++;
    /** @type {any} */ let event = null;
    try {
      if (!webhook) throw new Error("no secret yet");
      event = webhook.verify(body, /** @type {Record<string, string>} */ (req.headers));
    } catch {
      // (counted below unless the delivery is refused anyway)
    }
    const refusal = refuse?.() ?? null;
    if (keep && event) log.push({ webhook_id: String(req.headers["webhook-id"]), event, refused: refusal });
    if (refusal) {
      tally.refused[refusal] = (tally.refused[refusal] ?? 0) + 1;
      return res.writeHead(refusal).end();
    }
    if (!event) {
      tally.invalid++;
      return res.writeHead(400).end();
    }
    if (!arrivals.has(event.id)) arrivals.set(event.id, { arrived_ms: performance.now(), object_id: event.data.object.id });
    res.writeHead(204).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  /** @param {string} secret */
  const use = (secret) => {
    webhook = new Webhook(secret);
  };
  return {
    url: `http://127.0.0.1:${address.port}/webhooks`,
    use,
    arrivals,
    tally,
    log,
    close: () => new Promise((r) => server.close(() => r(undefined))),
  };
}

/**
 * Events per second from commit to a local receiver: `count` holds on one wallet at c = 8 (each
 * commits `hold.created` in the wallet's outbox), an endpoint subscribed to `hold.created`, and the
 * time from each hold's 201 to its event's first verified arrival.
 * @param {ReturnType<typeof import("./seed.mjs").apiClient>} api @param {string} appUrl
 * @param {{ secret_key: string, user: string }} merchant @param {number} count @param {number} timeout_s
 */
export async function measureFanOut(api, appUrl, merchant, count, timeout_s = 120) {
  const auth = { authorization: `Bearer ${merchant.secret_key}` };
  const receiver = await startReceiver();
  try {
    const created = await api.call(
      "POST",
      "/api/v1/webhook-endpoints",
      { url: receiver.url, events: ["hold.created"], description: "bench" },
      auth,
    );
    if (created.status !== 201) throw new Error(`create endpoint: ${created.status} ${JSON.stringify(created.body)}`);
    receiver.use(created.body.data.secret);
    /** @type {Map<string, number>} */
    const committed = new Map();
    const started_ms = performance.now();
    const load = await closedLoop({
      url: appUrl,
      connections: 8,
      amount: count,
      requests: [
        {
          method: "POST",
          path: "/api/v1/embedded/holds",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ user_id: merchant.user, amount: 1, currency: "IQD" }),
          onResponse(status, body) {
            if (status === 201) committed.set(JSON.parse(body).data.id, performance.now());
          },
        },
      ],
    });
    const deadline = performance.now() + timeout_s * 1000;
    while (receiver.arrivals.size < committed.size && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const latencies = [...receiver.arrivals.values()].flatMap(({ arrived_ms, object_id }) => {
      const at = committed.get(object_id);
      return at === undefined ? [] : [arrived_ms - at];
    });
    const last_ms = Math.max(...[...receiver.arrivals.values()].map((a) => a.arrived_ms));
    const latency = summarize(latencies);
    return {
      events: committed.size,
      delivered: receiver.arrivals.size,
      deliveries: receiver.tally.deliveries,
      invalid_signatures: receiver.tally.invalid,
      commit_rps: load.rps,
      events_per_s: receiver.arrivals.size / ((last_ms - started_ms) / 1000),
      commit_to_delivery_p50_ms: latency.p50_ms,
      commit_to_delivery_p99_ms: latency.p99_ms,
      commit_to_delivery_max_ms: latency.max_ms,
      timed_out: receiver.arrivals.size < committed.size,
    };
  } finally {
    await receiver.close();
  }
}
