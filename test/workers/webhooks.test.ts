import {
  createExecutionContext,
  createMessageBatch,
  evictDurableObject,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { verifyWebhook } from "../../examples/verify-webhook.mjs";
import { describe, expect, inject, it, vi } from "vitest";
import worker from "../../src/index";
import { EVENT_TYPES } from "../../src/domain/events";
import { retryDelaySeconds, retryScale, RETRY_DELAYS_SECONDS } from "../../src/webhooks/schedule";
import type { WebhookMessage } from "../../src/domain/events";
import { walletObject, type WalletDO } from "../../src/wallet/wallet-do";
import { endpointUrlProblem } from "../../src/webhooks/endpoint-url";
import { call, countRows, createKey, fundedUser, newMerchant, newSession, payWithWallet, type TestMerchant, waitFor } from "./helpers";

/**
 * Events and webhooks end to end: objects forward events to the real queue, the real consumer
 * records them and fans them out, and deliveries reach a real HTTP receiver (test/workers/receiver.ts),
 * signed per Standard Webhooks and verified here with the `standardwebhooks` package.
 */
const receiver = () => inject("receiverUrl");
const hookUrl = (name: string) => `${receiver()}/hooks/${name}`;

interface Received {
  headers: Record<string, string>;
  body: string;
}

async function receivedBy(name: string): Promise<Received[]> {
  return (await fetch(`${receiver()}/log/${name}`)).json();
}

async function addEndpoint(m: TestMerchant, name: string, events: string[] = ["*"]) {
  const res = await call("POST", "/api/v1/webhook-endpoints", {
    token: m.secret_key,
    body: { url: hookUrl(name), events, description: name },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as { id: string; secret: string };
}

async function deliveriesOf(m: TestMerchant, endpoint_id: string) {
  const res = await call("GET", `/api/v1/webhook-endpoints/${endpoint_id}/deliveries?per_page=100`, { token: m.secret_key });
  type Row = {
    attempt: number;
    outcome: string;
    response_status: number | null;
    attempted_at: string;
    next_retry_at: string | null;
    event_id: string;
    latency_ms: number;
  };
  // Oldest first; at one attempt, the dead-letter record comes after the attempt it closes.
  const rank = (d: Row) => d.attempt * 2 + (d.outcome === "dead_lettered" ? 1 : 0);
  return (res.body.data.deliveries as Row[]).sort((a, b) => rank(a) - rank(b));
}

/** Runs the queue consumer on one delivery message as the queue would for its nth attempt, watching what it asks of the message. */
async function deliverAttempt(event_id: string, endpoint_id: string, attempts: number, queue = "mazad-webhooks") {
  const body: WebhookMessage = { kind: "delivery", event_id, endpoint_id };
  const batch = createMessageBatch<WebhookMessage>(queue, [{ id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body }]);
  const retry = vi.spyOn(batch.messages[0]!, "retry");
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, env, ctx);
  const result = await getQueueResult(batch, ctx);
  return { result, retry };
}

/** A captured wallet payment: checkout.authorized and payment.captured, and the hold events of its buyer stay out of it. */
async function paymentFlow(m: TestMerchant, user_id: string) {
  const session = await newSession(m.secret_key, user_id, 5_000);
  await payWithWallet(session);
  const payment_id = session.id.replace("cs_test_", "pay_test_");
  await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: m.secret_key, body: {} });
  return { session, payment_id };
}

describe("delivery", () => {
  it("a receiver that fails twice gets the third delivery, signed, and the log shows three attempts with their delays", async () => {
    const { merchant, user_id } = await fundedUser(20_000);
    const name = `fail-2-${crypto.randomUUID()}`;
    const endpoint = await addEndpoint(merchant, name, ["payment.captured"]);
    const { payment_id } = await paymentFlow(merchant, user_id);

    // Attempt 1 goes through the real queue at once, and fails.
    const first = await waitFor(
      "the first attempt",
      () => deliveriesOf(merchant, endpoint.id),
      (d) => d.length >= 1,
    );
    expect(first[0]).toMatchObject({ attempt: 1, outcome: "retrying", response_status: 500 });
    const event_id = first[0]!.event_id;
    // Attempts 2 and 3, as the queue brings them back (it would after 5 s and 5 min).
    const second = await deliverAttempt(event_id, endpoint.id, 2);
    expect(second.result.retryMessages).toHaveLength(1);
    const third = await deliverAttempt(event_id, endpoint.id, 3);
    expect(third.result.explicitAcks).toHaveLength(1);
    expect(second.retry.mock.calls[0]![0]!.delaySeconds).toBeGreaterThanOrEqual(270);
    expect(second.retry.mock.calls[0]![0]!.delaySeconds).toBeLessThanOrEqual(330);

    const log = (await deliveriesOf(merchant, endpoint.id)).slice(0, 3);
    expect(log.map((d) => [d.attempt, d.outcome, d.response_status])).toEqual([
      [1, "retrying", 500],
      [2, "retrying", 500],
      [3, "succeeded", 200],
    ]);
    const delay = (d: (typeof log)[number]) => (Date.parse(d.next_retry_at!) - Date.parse(d.attempted_at)) / 1000;
    expect(delay(log[0]!)).toBeGreaterThanOrEqual(3);
    expect(delay(log[0]!)).toBeLessThanOrEqual(7);
    expect(delay(log[1]!)).toBeGreaterThanOrEqual(269);
    expect(delay(log[1]!)).toBeLessThanOrEqual(331);
    expect(log[2]!.next_retry_at).toBeNull();

    const received = (await receivedBy(name)).slice(0, 3);
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers["webhook-id"]))).toEqual(new Set([event_id]));
    const verified = new Webhook(endpoint.secret).verify(received[2]!.body, received[2]!.headers) as {
      type: string;
      data: { object: { id: string; status: string } };
    };
    expect(verified).toMatchObject({ type: "payment.captured", data: { object: { id: payment_id, status: "captured" } } });
    expect(() => new Webhook(endpoint.secret).verify(received[2]!.body.replace("captured", "refunded"), received[2]!.headers)).toThrow();
  }, 30_000);

  it("an endpoint that always fails: every retry on the schedule, then the dead-letter record; " +
    "other endpoints still get the event", async () => {
    const { merchant, user_id } = await fundedUser(20_000);
    const failing = await addEndpoint(merchant, `always-fail-${crypto.randomUUID()}`, ["checkout.authorized"]);
    const healthyName = `ok-${crypto.randomUUID()}`;
    const healthy = await addEndpoint(merchant, healthyName, ["checkout.authorized"]);
    await paymentFlow(merchant, user_id);
    const first = await waitFor(
      "the first attempt",
      () => deliveriesOf(merchant, failing.id),
      (d) => d.length >= 1,
    );
    const event_id = first[0]!.event_id;

    const delays: (number | undefined)[] = [];
    for (let attempt = 2; attempt <= RETRY_DELAYS_SECONDS.length + 1; attempt++) {
      const { result, retry } = await deliverAttempt(event_id, failing.id, attempt);
      expect(result.retryMessages, `attempt ${attempt}`).toHaveLength(1);
      delays.push(retry.mock.calls[0]![0]?.delaySeconds);
    }
    // After attempts 2..7 the schedule's delays; after the 8th none: the queue dead-letters it.
    RETRY_DELAYS_SECONDS.slice(1).forEach((base, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(Math.floor(base * 0.9));
      expect(delays[i]).toBeLessThanOrEqual(Math.ceil(base * 1.1));
    });
    expect(delays.at(-1)).toBeUndefined();

    const dead = await deliverAttempt(event_id, failing.id, 8, "mazad-webhooks-dlq");
    expect(dead.result.explicitAcks).toHaveLength(1);
    const log = await deliveriesOf(merchant, failing.id);
    expect(log.filter((d) => d.event_id === event_id).map((d) => d.outcome)).toEqual(
      [...Array(7).fill("retrying"), "failed", "dead_lettered"].slice(0, 9),
    );
    // Nothing else was lost: the healthy endpoint has the event, once.
    const ok = await waitFor(
      "the healthy delivery",
      () => receivedBy(healthyName),
      (r) => r.length >= 1,
    );
    expect(ok.map((r) => r.headers["webhook-id"])).toEqual([event_id]);
    expect((await deliveriesOf(merchant, healthy.id)).map((d) => d.outcome)).toEqual(["succeeded"]);
  }, 30_000);

  it("a 410 disables the endpoint; redelivery sends again; a rotated secret signs beside the new one for 24 hours", async () => {
    const { merchant, user_id } = await fundedUser(20_000);
    const gone = await addEndpoint(merchant, `gone-${crypto.randomUUID()}`, ["checkout.authorized"]);
    const name = `ok-${crypto.randomUUID()}`;
    const endpoint = await addEndpoint(merchant, name, ["checkout.authorized"]);
    await paymentFlow(merchant, user_id);
    await waitFor(
      "the 410",
      () => call("GET", `/api/v1/webhook-endpoints/${gone.id}`, { token: merchant.secret_key }),
      (r) => r.body.data.status === "disabled",
    );
    expect((await call("GET", `/api/v1/webhook-endpoints/${gone.id}`, { token: merchant.secret_key })).body.data.disabled_reason).toContain(
      "410",
    );
    const [original] = await waitFor(
      "the delivery",
      () => receivedBy(name),
      (r) => r.length >= 1,
    );

    const rotated = await call("POST", `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { token: merchant.secret_key });
    expect(rotated.body.data.secret).toMatch(/^whsec_/);
    const event_id = original!.headers["webhook-id"]!;
    const again = await call("POST", `/api/v1/events/${event_id}/redeliver`, { token: merchant.secret_key, body: {} });
    expect(again.body.data).toEqual({ event_id, endpoints: [endpoint.id] });
    const [, redelivered] = await waitFor(
      "the redelivery",
      () => receivedBy(name),
      (r) => r.length >= 2,
    );
    expect(redelivered!.headers["webhook-id"]).toBe(event_id);
    expect(redelivered!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    for (const secret of [endpoint.secret, rotated.body.data.secret]) {
      expect(() => new Webhook(secret).verify(redelivered!.body, redelivered!.headers)).not.toThrow();
      // The plain-WebCrypto recipe (examples/verify-webhook.mjs) agrees, and refuses a changed body.
      expect(await verifyWebhook(secret, new Headers(redelivered!.headers), redelivered!.body)).toMatchObject({ id: event_id });
      expect(
        await verifyWebhook(secret, new Headers(redelivered!.headers), redelivered!.body.replace(event_id, `${event_id}x`)),
      ).toBeNull();
    }
    expect(await verifyWebhook("whsec_" + btoa("someone else's secret"), new Headers(redelivered!.headers), redelivered!.body)).toBeNull();
  }, 30_000);
});

describe("a full queue batch", () => {
  it("records 100 events of two merchants at once, once each, and fans out only to the subscribed endpoint", async () => {
    const [subscribed, other] = [await newMerchant(), await newMerchant()];
    const name = `batch-${crypto.randomUUID()}`;
    await addEndpoint(subscribed, name, ["user.synced"]);
    const run = crypto.randomUUID().slice(0, 8);
    const messages = Array.from({ length: 100 }, (_, i) => {
      const owner = i % 2 === 0 ? subscribed : other;
      const event = {
        id: `evt_batch${run}${String(i).padStart(3, "0")}`,
        merchant_id: owner.merchant_id,
        mode: "sandbox" as const,
        type: "user.synced" as const,
        data: JSON.stringify({ object: { i } }),
        request_id: null,
        idempotency_key: null,
        created_at_ms: Date.now() + i,
      };
      return {
        id: `m-${crypto.randomUUID()}`,
        timestamp: new Date(),
        attempts: 1,
        body: { kind: "event", event } satisfies WebhookMessage,
      };
    });
    // The same batch twice, as a redelivered queue batch would arrive: recorded once, fanned out once.
    for (let round = 0; round < 2; round++) {
      const batch = createMessageBatch<WebhookMessage>("mazad-webhooks", messages);
      const ctx = createExecutionContext();
      await worker.queue(batch as MessageBatch<unknown>, env, ctx);
      expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(100);
    }
    const like = `evt_batch${run}%`;
    expect(await countRows("SELECT count(*) AS n FROM events WHERE id LIKE ?", like)).toBe(100);
    expect(await countRows("SELECT count(*) AS n FROM events WHERE id LIKE ? AND fanned_out_at_ms IS NULL", like)).toBe(0);
    const received = await waitFor(
      "50 deliveries",
      () => receivedBy(name),
      (r) => r.length >= 50,
    );
    await new Promise((r) => setTimeout(r, 300)); // anything extra would have arrived by now
    const ids = (await receivedBy(name)).map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(50);
    expect(ids.every((id) => Number(id!.slice(-3)) % 2 === 0)).toBe(true);
    expect(received.length).toBeGreaterThanOrEqual(50);
  }, 30_000);
});

describe("the dead-letter queue", () => {
  // The events queue gave up recording (D1 down for its whole retry budget); the object that
  // forwarded these already counts them as sent, so the dead-letter consumer tries once more.
  it("records and fans out an event that reaches it, and acks it", async () => {
    const merchant = await newMerchant();
    const name = `dlq-${crypto.randomUUID().slice(0, 8)}`;
    await addEndpoint(merchant, name, ["user.synced"]);
    const event = {
      id: `evt_dlq${crypto.randomUUID().slice(0, 8)}`,
      merchant_id: merchant.merchant_id,
      mode: "sandbox" as const,
      type: "user.synced" as const,
      data: JSON.stringify({ object: { late: true } }),
      request_id: null,
      idempotency_key: null,
      created_at_ms: Date.now(),
    };
    const batch = createMessageBatch<WebhookMessage>("mazad-webhooks-dlq", [
      { id: "m-dlq", timestamp: new Date(), attempts: 101, body: { kind: "event", event } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<unknown>, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m-dlq"]);
    expect(await countRows("SELECT count(*) AS n FROM events WHERE id = ? AND fanned_out_at_ms IS NOT NULL", event.id)).toBe(1);
    const received = await waitFor(
      "the late event",
      () => receivedBy(name),
      (r) => r.length >= 1,
    );
    expect(received[0]!.headers["webhook-id"]).toBe(event.id);
  });
});

describe("events", () => {
  it("exist for every type, each with its object, listed newest first and filtered by type", async () => {
    const merchant = await newMerchant();
    const synced = await call("POST", "/api/v1/embedded/users/sync", {
      token: merchant.secret_key,
      headers: { "Idempotency-Key": crypto.randomUUID() },
      body: { external_id: "evt_user", full_name: "Event User" },
    });
    const other = (
      await call("POST", "/api/v1/embedded/users/sync", {
        token: merchant.secret_key,
        body: { external_id: "evt_other", full_name: "Other" },
      })
    ).body.data;
    const user_id = synced.body.data.mazad_user_id;
    await call("POST", `/api/v1/embedded/users/${user_id}/wallet/top-ups`, {
      token: merchant.secret_key,
      body: { amount: 100_000, currency: "IQD" },
    });
    const token = merchant.secret_key;
    const hold = (
      await call("POST", "/api/v1/embedded/holds", { token, body: { user_id, amount: 100, currency: "IQD", reference: "lot-1" } })
    ).body.data;
    await call("POST", `/api/v1/embedded/holds/${hold.id}/capture`, { token, body: {} });
    const released = (await call("POST", "/api/v1/embedded/holds", { token, body: { user_id, amount: 100, currency: "IQD" } })).body.data;
    await call("POST", `/api/v1/embedded/holds/${released.id}/release`, { token });
    await call("POST", "/api/v1/embedded/holds", {
      token,
      body: { user_id, amount: 100, currency: "IQD", expires_at: new Date(Date.now() + 60_000).toISOString() },
    });
    const transfer = (
      await call("POST", "/api/v1/embedded/transfers", {
        token,
        body: { from_user_id: user_id, to_user_id: other.mazad_user_id, amount: 500, currency: "IQD" },
      })
    ).body.data;
    await call("POST", "/api/v1/sandbox/clock", { token, body: { advance_seconds: 120 } });
    await call("GET", `/api/v1/embedded/users/${user_id}/wallet`, { token });
    // Checkouts and payments: authorized, captured, partially refunded, refunded; expired, canceled, voided.
    const { session, payment_id } = await paymentFlow(merchant, user_id);
    await call("POST", `/api/v1/payments/${payment_id}/refund`, { token, body: { amount: 1_000, reason: "part" } });
    await call("POST", `/api/v1/payments/${payment_id}/refund`, { token, body: { reason: "rest" } });
    const expiring = await newSession(token, user_id, 100);
    await call("POST", `/api/v1/checkout/sessions/${expiring.id}/expire`, { token });
    const canceled = await newSession(token, user_id, 100);
    await call("POST", `/checkout/${canceled.id}/cancel`, { body: { client_secret: canceled.client_secret } });
    const voided = await newSession(token, user_id, 100);
    await payWithWallet(voided);
    await call("POST", `/api/v1/payments/${voided.id.replace("cs_test_", "pay_test_")}/void`, { token });
    const expiredAuth = await newSession(token, user_id, 100);
    await payWithWallet(expiredAuth);
    const intent = (
      await call("POST", "/api/v1/payment-intents", {
        token,
        body: { amount: 100, currency: "USD", success_url: "https://s.example/", cancel_url: "https://c.example/" },
      })
    ).body.data;
    const pay = (number: string) =>
      call("POST", `/checkout/${intent.id}/pay`, {
        body: {
          client_secret: intent.client_secret,
          method: "card",
          card: { number, exp_month: 12, exp_year: 2040, cvc: "123", name: "E" },
        },
      });
    await pay("4000000000009995");
    await pay("4242424242424242");
    const canceledIntent = (
      await call("POST", "/api/v1/payment-intents", {
        token,
        body: { amount: 100, currency: "USD", success_url: "https://s.example/", cancel_url: "https://c.example/" },
      })
    ).body.data;
    await call("POST", `/api/v1/payment-intents/${canceledIntent.id}/cancel`, { token });
    await call("GET", `/api/v1/payments/${expiredAuth.id.replace("cs_test_", "pay_test_")}`, { token });
    await call("POST", "/api/v1/sandbox/clock", { token, body: { advance_seconds: 7 * 86_400 } });
    await call("GET", `/api/v1/payments/${expiredAuth.id.replace("cs_test_", "pay_test_")}`, { token });

    const all = await waitFor(
      "every event type in the index",
      async () =>
        (await call("GET", "/api/v1/events?per_page=100", { token })).body.data.events as {
          id: string;
          type: string;
          created_at: string;
          data: { object: Record<string, unknown>; refund?: Record<string, unknown> };
          request: { id: string | null; idempotency_key: string | null };
        }[],
      (events) => new Set(events.map((e) => e.type)).size >= 17,
      30_000,
    ).catch(async (error) => {
      const seen = new Set(
        ((await call("GET", "/api/v1/events?per_page=100", { token })).body.data.events as { type: string }[]).map((e) => e.type),
      );
      throw new Error(`${String(error).slice(0, 100)}; missing: ${EVENT_TYPES.filter((t) => !seen.has(t)).join(", ")}`);
    });
    // The list is newest first: the first event of a type is the last in it.
    const first = (type: string) => all.findLast((e) => e.type === type)!;
    expect(first("user.synced")).toMatchObject({
      data: { object: { mazad_user_id: user_id, external_id: "evt_user", full_name: "Event User", wallet_id: synced.body.data.wallet_id } },
      request: { id: synced.headers.get("X-Request-Id") },
    });
    expect(first("hold.created").data.object).toMatchObject({ status: "active", amount: 100, user_id });
    expect(all.find((e) => e.type === "hold.captured")!.data.object).toMatchObject({
      id: hold.id,
      status: "captured",
      reference: "lot-1",
      commission_amount: 3,
      merchant_amount: 97,
    });
    expect(first("hold.released").data.object).toMatchObject({ id: released.id, status: "released" });
    expect(first("hold.expired").data.object).toMatchObject({ status: "expired" });
    expect(first("transfer.completed").data.object).toMatchObject({ id: transfer.id, status: "succeeded", amount: 500 });
    expect(first("checkout.authorized").data.object).toMatchObject({ object: "checkout.session", status: "authorized" });
    expect(first("checkout.expired").data.object).toMatchObject({ id: expiring.id, status: "expired" });
    expect(first("checkout.canceled").data.object).toMatchObject({ id: canceled.id, status: "canceled" });
    expect(first("payment_intent.payment_failed").data.object).toMatchObject({
      id: intent.id,
      attempts_remaining: 4,
      last_decline_code: "51",
    });
    expect(first("payment_intent.succeeded").data.object).toMatchObject({ id: intent.id, status: "authorized" });
    expect(first("payment_intent.canceled").data.object).toMatchObject({ id: canceledIntent.id, status: "canceled" });
    expect(first("payment.captured").data.object).toMatchObject({ id: payment_id, status: "captured" });
    expect(first("payment.partially_refunded").data).toMatchObject({
      object: { refunded_amount: 1_000 },
      refund: { amount: 1_000, reason: "part" },
    });
    expect(first("payment.refunded").data).toMatchObject({ object: { status: "refunded" }, refund: { reason: "rest" } });
    expect(first("payment.voided").data.object).toMatchObject({ id: voided.id.replace("cs_test_", "pay_test_"), status: "voided" });
    // One clock move expires two authorizations (this one and the card intent's) at one instant: pick it by id.
    const expiredPaymentId = expiredAuth.id.replace("cs_test_", "pay_test_");
    expect(all.find((e) => e.type === "payment.expired" && e.data.object.id === expiredPaymentId)?.data.object).toMatchObject({
      id: expiredPaymentId,
      status: "expired",
    });
    // Newest first, and a type filter.
    expect(all.map((e) => e.created_at)).toEqual([...all.map((e) => e.created_at)].sort().reverse());
    const captured = await call("GET", "/api/v1/events?type=payment.captured", { token });
    expect(captured.body.data.events.map((e: { type: string }) => e.type)).toEqual(["payment.captured"]);
    const one = await call("GET", `/api/v1/events/${first("checkout.authorized").id}`, { token });
    expect(one.body.data).toEqual(first("checkout.authorized"));
    void session;
  }, 90_000);
});

describe("tenancy", () => {
  it("another merchant's endpoints, events and deliveries are 404; a live key does not see sandbox ones", async () => {
    const { merchant, user_id } = await fundedUser(20_000);
    const endpoint = await addEndpoint(merchant, `ok-${crypto.randomUUID()}`);
    await paymentFlow(merchant, user_id);
    const [delivery] = await waitFor(
      "a delivery",
      () => deliveriesOf(merchant, endpoint.id),
      (d) => d.length >= 1,
    );
    const stranger = await newMerchant();
    const live = await createKey(merchant, "secret", "live");
    for (const token of [stranger.secret_key, live.secret]) {
      for (const [method, path] of [
        ["GET", `/api/v1/webhook-endpoints/${endpoint.id}`],
        ["PATCH", `/api/v1/webhook-endpoints/${endpoint.id}`],
        ["DELETE", `/api/v1/webhook-endpoints/${endpoint.id}`],
        ["POST", `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`],
        ["GET", `/api/v1/webhook-endpoints/${endpoint.id}/deliveries`],
        ["GET", `/api/v1/events/${delivery!.event_id}`],
        ["POST", `/api/v1/events/${delivery!.event_id}/redeliver`],
      ] as const) {
        const res = await call(method, path, { token, body: method === "GET" || method === "DELETE" ? undefined : {} });
        expect(res.status, `${method} ${path}`).toBe(404);
      }
      expect((await call("GET", "/api/v1/events", { token })).body.data.events).toEqual([]);
      expect((await call("GET", "/api/v1/webhook-endpoints", { token })).body.data.webhook_endpoints).toEqual([]);
    }
    expect((await call("GET", `/api/v1/webhook-endpoints/${endpoint.id}`, { token: merchant.secret_key })).status).toBe(200);
  }, 30_000);
});

describe("a shrunk retry schedule (WEBHOOK_RETRY_SCALE)", () => {
  it("scales every delay, never below a second, and ignores a value that is not in (0, 1]", () => {
    expect(RETRY_DELAYS_SECONDS.map((_, i) => retryDelaySeconds(i + 1, () => 0.5, 0.001))).toEqual([1, 1, 2, 7, 18, 36, 36]);
    expect(retryDelaySeconds(RETRY_DELAYS_SECONDS.length + 1, () => 0.5, 0.001)).toBeNull();
    expect(retryScale("0.001")).toBe(0.001);
    for (const bad of [undefined, "", "0", "-1", "2", "abc", "Infinity"]) expect(retryScale(bad)).toBe(1);
  });
});

describe("endpoints", () => {
  it("are at most 16 per merchant and mode, also when created all at once", async () => {
    const merchant = await newMerchant();
    const create = (i: number) =>
      call("POST", "/api/v1/webhook-endpoints", {
        token: merchant.secret_key,
        body: { url: `http://localhost:4000/hooks/${i}`, events: ["*"] },
      });
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => create(i)));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(16);
    const refused = answers.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(8);
    for (const r of refused) expect(r.body.error).toMatchObject({ code: "parameter_invalid", param: "url" });
    expect((await call("GET", "/api/v1/webhook-endpoints", { token: merchant.secret_key })).body.data.webhook_endpoints).toHaveLength(16);
  });

  it("show the secret once, validate URLs by mode, and update, disable and delete", async () => {
    const merchant = await newMerchant();
    const created = await call("POST", "/api/v1/webhook-endpoints", {
      token: merchant.secret_key,
      body: { url: "http://localhost:4000/hooks", events: ["payment.captured", "payment.captured"] },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      id: expect.stringMatching(/^we_/),
      secret: expect.stringMatching(/^whsec_/),
      events: ["payment.captured"],
      status: "enabled",
    });
    expect(
      await countRows("SELECT count(*) AS n FROM webhook_endpoints WHERE secret_sealed LIKE ?", `%${created.body.data.secret.slice(6)}%`),
    ).toBe(0);
    const read = await call("GET", `/api/v1/webhook-endpoints/${created.body.data.id}`, { token: merchant.secret_key });
    expect(read.body.data.secret).toBeUndefined();
    const live = await createKey(merchant, "secret", "live");
    for (const url of [
      "http://hooks.example.com/x",
      "https://10.0.0.5/x",
      "https://127.0.0.1/x",
      "https://169.254.169.254/latest",
      "https://[::1]/x",
      "https://localhost/x",
      "https://printer.local/x",
    ]) {
      const res = await call("POST", "/api/v1/webhook-endpoints", { token: live.secret, body: { url, events: ["*"] } });
      expect(res.status, url).toBe(422);
      expect(res.body.error.param).toBe("url");
    }
    expect(
      (await call("POST", "/api/v1/webhook-endpoints", { token: live.secret, body: { url: "https://hooks.example.com/x", events: ["*"] } }))
        .status,
    ).toBe(201);
    const unknownType = await call("POST", "/api/v1/webhook-endpoints", {
      token: merchant.secret_key,
      body: { url: "https://a.example/", events: ["payment.exploded"] },
    });
    expect(unknownType.status).toBe(422);
    const disabled = await call("PATCH", `/api/v1/webhook-endpoints/${created.body.data.id}`, {
      token: merchant.secret_key,
      body: { disabled: true, events: ["*"] },
    });
    expect(disabled.body.data).toMatchObject({ status: "disabled", events: ["*"], disabled_reason: "Disabled by the merchant" });
    expect((await call("DELETE", `/api/v1/webhook-endpoints/${created.body.data.id}`, { token: merchant.secret_key })).status).toBe(200);
    expect((await call("GET", `/api/v1/webhook-endpoints/${created.body.data.id}`, { token: merchant.secret_key })).status).toBe(404);
  });

  it("the URL rules and the retry schedule, as pure rules", () => {
    expect(endpointUrlProblem("http://localhost:8080/x", "sandbox")).toBeNull();
    expect(endpointUrlProblem("https://100.64.0.1/x", "live")).toContain("private");
    expect(endpointUrlProblem("https://192.168.1.10/x", "live")).toContain("private");
    expect(endpointUrlProblem("https://[::ffff:10.0.0.1]/x", "live")).toContain("private");
    // A fully qualified name (trailing dot) is the same host.
    expect(endpointUrlProblem("https://localhost./x", "live")).toContain("loopback");
    expect(endpointUrlProblem("https://127.0.0.1./x", "live")).toContain("loopback");
    expect(endpointUrlProblem("https://user:pw@a.example/x", "live")).toContain("credentials");
    expect(endpointUrlProblem("https://8.8.8.8/x", "live")).toBeNull();
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => retryDelaySeconds(a, () => 0.5))).toEqual([5, 300, 1_800, 7_200, 18_000, 36_000, 36_000]);
    expect(retryDelaySeconds(8)).toBeNull();
    expect(retryDelaySeconds(2, () => 0)).toBe(270);
    expect(retryDelaySeconds(2, () => 1)).toBe(330);
  });
});

describe("a crash between the commit and forwarding", () => {
  it("the alarm forwards the event; exactly one record exists, and the receiver gets it", async () => {
    const { merchant, user_id, wallet_id } = await fundedUser(10_000);
    const name = `ok-${crypto.randomUUID()}`;
    await addEndpoint(merchant, name, ["hold.created"]);
    const stub = walletObject(env, wallet_id);
    await runInDurableObject(stub, (instance: WalletDO) => {
      (instance as unknown as { courier: { forward: () => Promise<void> } }).courier.forward = async () => {
        throw new Error("simulated crash before forwarding");
      };
    });
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 100, currency: "IQD" },
    });
    expect(hold.status).toBe(201);
    await evictDurableObject(stub);
    const unforwarded = await runInDurableObject(
      stub,
      (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM events WHERE forwarded_at_ms IS NULL").one().n,
    );
    expect(unforwarded).toBe(1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const [received] = await waitFor(
      "the delivery",
      () => receivedBy(name),
      (r) => r.length >= 1,
    );
    expect(JSON.parse(received!.body)).toMatchObject({ type: "hold.created", data: { object: { id: hold.body.data.id } } });
    // Forwarded again by a second alarm or not, the index holds it once.
    await runDurableObjectAlarm(stub);
    expect(await countRows("SELECT count(*) AS n FROM events WHERE type = 'hold.created' AND merchant_id = ?", merchant.merchant_id)).toBe(
      1,
    );
  }, 30_000);
});
