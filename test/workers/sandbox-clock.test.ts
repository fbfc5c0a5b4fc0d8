import { describe, expect, it } from "vitest";
import { call, createKey, fundedUser, payWithCard, signedHeaders, syncUser, type TestMerchant } from "./helpers";

/**
 * One clock per request: the sandbox offset is applied in exactly one place, so with a merchant's
 * clock moved ahead every timestamp a flow writes lies at the sandbox's now (or its deadlines, a
 * fixed span after it) — never a second offset ahead. Each flow runs with the secret key and
 * HMAC-signed, since both authenticate through the same middleware.
 */
const DAY_S = 86_400;

/** Every ISO timestamp in an answer, by its dotted path. */
function timestamps(value: unknown, path = ""): [string, number][] {
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) return [[path, Date.parse(value)]];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => timestamps(v, path ? `${path}.${k}` : k));
}

/** How far ahead of the request's now a timestamp may lie: a deadline the flow sets, or nothing. */
const AHEAD_S: Record<string, number> = { expires_at: 24 * 3600, capture_before: 7 * DAY_S, refund_before: 90 * DAY_S };

function expectAtSandboxNow(label: string, answer: unknown, sandbox_now_ms: number) {
  const found = timestamps(answer);
  expect(found.length, `${label} has timestamps`).toBeGreaterThan(0);
  for (const [path, at_ms] of found) {
    const ahead_s = AHEAD_S[path.split(".").at(-1)!] ?? 0;
    // Whole seconds, and the flow takes a moment: a few seconds of slack on either side.
    expect(at_ms, `${label}: ${path}`).toBeGreaterThanOrEqual(sandbox_now_ms - 5_000);
    expect(at_ms, `${label}: ${path}`).toBeLessThanOrEqual(sandbox_now_ms + ahead_s * 1000 + 5_000);
  }
}

type Send = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

function sender(merchant: TestMerchant, signing?: { key_id: string; secret: string }): Send {
  return async (method, path, body) => {
    const raw = body === undefined ? undefined : JSON.stringify(body);
    const json: Record<string, string> = raw === undefined ? {} : { "Content-Type": "application/json" };
    const auth = signing
      ? await signedHeaders(signing.key_id, signing.secret, method, path, raw ?? "", undefined, crypto.randomUUID())
      : { Authorization: `Bearer ${merchant.secret_key}` };
    return call(method, path, { rawBody: raw, headers: { ...json, ...auth } });
  };
}

describe.each(["secret key", "HMAC"])("with the sandbox clock 90 days ahead (%s)", (how) => {
  it("every timestamp each flow writes is the sandbox's now, or a deadline a fixed span after it", async () => {
    const { merchant, user_id } = await fundedUser(100_000);
    const signing = how === "HMAC" ? await createKey(merchant, "signing", "sandbox") : undefined;
    const send = sender(merchant, signing && { key_id: signing.key_id!, secret: signing.secret });
    expect((await send("POST", "/api/v1/sandbox/clock", { advance_seconds: 90 * DAY_S })).status).toBe(200);
    const sandboxNow = async () => Date.parse((await send("GET", "/api/v1/sandbox/clock")).body.data.now);
    const now_ms = await sandboxNow();
    expect(now_ms - Date.now()).toBeGreaterThan(90 * DAY_S * 1000 - 10_000);

    const answers: [string, { status: number; body: any }][] = [];
    const flow = async (label: string, method: string, path: string, body?: unknown) => {
      const res = await send(method, path, body);
      expect(res.status, `${label}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      answers.push([label, res]);
      return res.body.data;
    };

    const other = (await syncUser(merchant.secret_key)).body.data.mazad_user_id as string;
    await flow("user sync", "POST", "/api/v1/embedded/users/sync", {
      external_id: `clock-${crypto.randomUUID()}`,
      full_name: "Clock User",
    });
    await flow("quickstart user sync", "POST", "/api/v1/users/sync", {
      external_user_id: `clock-${crypto.randomUUID()}`,
      name: "Clock User",
    });
    await flow("top-up", "POST", `/api/v1/embedded/users/${user_id}/wallet/top-ups`, { amount: 1_000, currency: "IQD" });
    const hold = await flow("hold", "POST", "/api/v1/embedded/holds", {
      user_id,
      amount: 100,
      currency: "IQD",
      expires_at: new Date(now_ms + 3_600_000).toISOString(),
    });
    await flow("hold capture", "POST", `/api/v1/embedded/holds/${hold.id}/capture`);
    await flow("transfer", "POST", "/api/v1/embedded/transfers", {
      from_user_id: user_id,
      to_user_id: other,
      amount: 100,
      currency: "IQD",
    });
    // The history also holds the funding top-up from before the move: the newest entries are this flow's.
    const history = await flow("transactions", "GET", `/api/v1/embedded/users/${user_id}/transactions?per_page=4`);
    expect(history.transactions.map((t: { type: string }) => t.type)).toEqual(["debit", "debit", "hold", "credit"]);
    const session = await flow("checkout session", "POST", "/api/v1/checkout/sessions", {
      external_user_id: user_id,
      amount: 500,
      currency: "IQD",
      success_url: "https://shop.example/ok",
      cancel_url: "https://shop.example/no",
    });
    expect(Date.parse(session.expires_at) - Date.parse(session.created_at)).toBeLessThanOrEqual(24 * 3600 * 1000);
    const intent = await flow("payment intent", "POST", "/api/v1/payment-intents", {
      amount: 500,
      currency: "USD",
      success_url: "https://shop.example/ok",
      cancel_url: "https://shop.example/no",
    });
    expect(Date.parse(intent.expires_at) - Date.parse(intent.created_at)).toBe(3_600_000);
    expect((await payWithCard(intent)).status).toBe(200);
    const payment = await flow("card payment", "GET", `/api/v1/payments/${intent.id.replace("pi_", "pay_test_")}`);
    expect(Date.parse(payment.capture_before) - Date.parse(payment.created_at)).toBeLessThanOrEqual(7 * DAY_S * 1000);
    await flow("capture", "POST", `/api/v1/payments/${payment.id}/capture`, { amount: 200 });
    await flow("refund", "POST", `/api/v1/payments/${payment.id}/refund`, { amount: 100, reason: "requested_by_customer" });
    await flow("webhook endpoint", "POST", "/api/v1/webhook-endpoints", {
      url: "https://hooks.example/mazad",
      events: ["checkout.canceled"],
    });
    for (const [label, res] of answers) expectAtSandboxNow(label, res.body.data, now_ms);

    // The events of all this are listed (the list's window is the last 30 days of the sandbox's time).
    const events = await waitForEvents(send);
    expectAtSandboxNow("events", events, now_ms);
  }, 60_000);
});

async function waitForEvents(send: Send) {
  const until = Date.now() + 20_000;
  for (;;) {
    const listed = (await send("GET", "/api/v1/events?per_page=100")).body.data.events as { type: string; created_at: string }[];
    const types = new Set(listed.map((e) => e.type));
    if (["hold.captured", "transfer.completed", "payment.captured", "payment.partially_refunded"].every((t) => types.has(t))) return listed;
    if (Date.now() > until) throw new Error(`events not listed: ${[...types].join(", ")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
