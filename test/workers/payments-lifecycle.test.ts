import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { objectKeyOf } from "../../src/domain/ids";
import type { PaymentDO } from "../../src/payments/payment-do";
import {
  balanceOf,
  call,
  countRows,
  fundedUser,
  newIntent,
  newMerchant,
  newSession,
  payWithCard,
  payWithWallet,
  type TestMerchant,
} from "./helpers";

/**
 * Every change of a checkout or payment writes its events in the same transaction, and deadlines
 * (expiry, the 7-day auto-void) fire on the merchant's clock — also when a sandbox clock move, and
 * no read, brings them due.
 */
function paymentObject(id: string) {
  const kind = id.startsWith("pi_") ? "intent" : id.startsWith("cs_") ? "session" : "payment";
  return env.PAYMENT.get(env.PAYMENT.idFromName(objectKeyOf(id, kind)!)) as DurableObjectStub<PaymentDO>;
}

/** The events as stored, read without going through the object's methods (which would fire what is due). */
async function storedEvents(id: string) {
  return runInDurableObject(paymentObject(id), (_instance, state) =>
    state.storage.sql
      .exec<{ type: string; payload: string; request_id: string | null; idempotency_key: string | null }>(
        "SELECT type, payload, request_id, idempotency_key FROM events ORDER BY seq",
      )
      .toArray()
      .map((e) => ({ ...e, payload: JSON.parse(e.payload) })),
  );
}

async function storedStatus(id: string) {
  return runInDurableObject(paymentObject(id), (_instance, state) => {
    const doc = JSON.parse(state.storage.sql.exec<{ document: string }>("SELECT document FROM state").one().document);
    return { checkout: doc.status as string, payment: (doc.payment?.status ?? null) as string | null };
  });
}

/** The D1 index trails the object by a moment (written off the response path): wait for it, as the docs say. */
async function indexed(id: string, status: string) {
  for (let i = 0; i < 100; i++) {
    if ((await countRows("SELECT count(*) AS n FROM checkouts WHERE id = ? AND status = ?", id, status)) === 1) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${id} never reached the index as ${status}`);
}

const advance = (m: TestMerchant, seconds: number) =>
  call("POST", "/api/v1/sandbox/clock", { token: m.secret_key, body: { advance_seconds: seconds } });

describe("events", () => {
  it("a wallet checkout: authorized, captured, partially refunded, refunded — each with its object and cause", async () => {
    const { merchant, user_id } = await fundedUser(50_000);
    const session = await newSession(merchant.secret_key, user_id, 10_000);
    await payWithWallet(session);
    const payment_id = session.id.replace("cs_test_", "pay_test_");
    const key = crypto.randomUUID();
    const captured = await call("POST", `/api/v1/payments/${payment_id}/capture`, {
      token: merchant.secret_key,
      headers: { "Idempotency-Key": key },
      body: {},
    });
    await call("POST", `/api/v1/payments/${payment_id}/refund`, { token: merchant.secret_key, body: { amount: 4_000, reason: "part" } });
    await call("POST", `/api/v1/payments/${payment_id}/refund`, { token: merchant.secret_key, body: { reason: "rest" } });
    const events = await storedEvents(session.id);
    expect(events.map((e) => e.type)).toEqual([
      "checkout.authorized",
      "payment.captured",
      "payment.partially_refunded",
      "payment.refunded",
    ]);
    expect(events[0]!.payload.object).toMatchObject({ id: session.id, object: "checkout.session", status: "authorized", payment_id });
    expect(events[1]).toMatchObject({ request_id: captured.headers.get("X-Request-Id"), idempotency_key: key });
    expect(events[1]!.payload.object).toMatchObject({ id: payment_id, status: "captured", captured_amount: 10_000 });
    expect(events[2]!.payload).toMatchObject({
      object: { status: "partially_refunded", refunded_amount: 4_000 },
      refund: { amount: 4_000, reason: "part", status: "completed" },
    });
    expect(events[3]!.payload).toMatchObject({ object: { status: "refunded", refunded_amount: 10_000 }, refund: { amount: 6_000 } });
  });

  it("a card checkout: a failed attempt, then succeeded; a void", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 700);
    await payWithCard(intent, { number: "4000000000009995" });
    await payWithCard(intent);
    await call("POST", `/api/v1/payments/${intent.id.replace("pi_", "pay_test_")}/void`, { token: merchant.secret_key });
    const events = await storedEvents(intent.id);
    expect(events.map((e) => e.type)).toEqual(["payment_intent.payment_failed", "payment_intent.succeeded", "payment.voided"]);
    expect(events[0]!.payload.object).toMatchObject({ object: "payment_intent", status: "requires_payment_method", attempts_remaining: 4 });
    expect(events[2]!.payload.object).toMatchObject({ status: "voided", method: "card", card: { last4: "4242" } });
    expect(JSON.stringify(events)).not.toContain("4242424242424242");
  });

  it("closing a checkout: the merchant expires a session, the buyer cancels one, the merchant cancels an intent", async () => {
    const { merchant, user_id } = await fundedUser(0);
    const expiring = await newSession(merchant.secret_key, user_id, 100);
    await call("POST", `/api/v1/checkout/sessions/${expiring.id}/expire`, { token: merchant.secret_key });
    const canceled = await newSession(merchant.secret_key, user_id, 100);
    const cancel = await call("POST", `/checkout/${canceled.id}/cancel`, { body: { client_secret: canceled.client_secret } });
    expect(cancel.body.data).toEqual({ status: "canceled", redirect_url: `https://shop.example/cancel?session_id=${canceled.id}` });
    const intent = await newIntent(merchant.secret_key, 100);
    await call("POST", `/api/v1/payment-intents/${intent.id}/cancel`, { token: merchant.secret_key });
    expect((await storedEvents(expiring.id)).map((e) => [e.type, e.payload.object.status])).toEqual([["checkout.expired", "expired"]]);
    expect((await storedEvents(canceled.id)).map((e) => [e.type, e.payload.object.status])).toEqual([["checkout.canceled", "canceled"]]);
    expect((await storedEvents(intent.id)).map((e) => [e.type, e.payload.object.status])).toEqual([
      ["payment_intent.canceled", "canceled"],
    ]);
  });
});

describe("deadlines on the merchant's clock", () => {
  it("a sandbox clock move expires an intent and a session at once, with their events, before anyone reads them", async () => {
    const { merchant, user_id } = await fundedUser(0);
    const intent = await newIntent(merchant.secret_key, 100);
    const session = await newSession(merchant.secret_key, user_id, 100);
    await indexed(intent.id, "requires_payment_method");
    await indexed(session.id, "open");
    await advance(merchant, 3_601);
    expect(await storedStatus(intent.id)).toEqual({ checkout: "expired", payment: null });
    expect((await storedEvents(intent.id)).map((e) => e.type)).toEqual(["payment_intent.canceled"]);
    // The session lives 24 hours: still open after one.
    expect(await storedStatus(session.id)).toEqual({ checkout: "open", payment: null });
    await advance(merchant, 23 * 3_600);
    expect(await storedStatus(session.id)).toEqual({ checkout: "expired", payment: null });
    expect((await storedEvents(session.id)).map((e) => e.type)).toEqual(["checkout.expired"]);
    // The buyer's page now sends them back: paying is refused.
    expect((await payWithCard(intent)).body.error.code).toBe("checkout_not_open");
  });

  it("an authorization not captured within 7 days is voided (expired), and the buyer's funds are released", async () => {
    const { merchant, user_id } = await fundedUser(5_000);
    const session = await newSession(merchant.secret_key, user_id, 5_000);
    await payWithWallet(session);
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ held: 5_000 });
    await advance(merchant, 6 * 86_400);
    expect(await storedStatus(session.id)).toEqual({ checkout: "authorized", payment: "authorized" });
    await indexed(session.id, "authorized");
    await advance(merchant, 86_400);
    expect(await storedStatus(session.id)).toEqual({ checkout: "authorized", payment: "expired" });
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 5_000, held: 0 });
    expect((await storedEvents(session.id)).map((e) => e.type)).toEqual(["checkout.authorized", "payment.expired"]);
    const late = await call("POST", `/api/v1/payments/${session.id.replace("cs_test_", "pay_test_")}/capture`, {
      token: merchant.secret_key,
      body: {},
    });
    expect(late.body.error.code).toBe("payment_not_capturable");
  });

  it("reads never show a lapsed checkout as open, even one the trailing index did not list yet", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 100);
    // Keep the index from listing it, as if the clock moved before the index caught up.
    await indexed(intent.id, "requires_payment_method");
    await env.DB.prepare("DELETE FROM checkouts WHERE id = ?").bind(intent.id).run();
    await advance(merchant, 7_200);
    expect(await storedStatus(intent.id)).toEqual({ checkout: "requires_payment_method", payment: null });
    const read = await call("GET", `/api/v1/payment-intents/${intent.id}`, { token: merchant.secret_key });
    expect(read.body.data.status).toBe("expired");
    expect((await storedEvents(intent.id)).map((e) => e.type)).toEqual(["payment_intent.canceled"]);
  });
});
