import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { objectKeyOf } from "../../src/domain/ids";
import { EventOutbox } from "../../src/objects/event-outbox";
import { walletObject } from "../../src/wallet/wallet-do";
import { call, countRows, fundedUser, newMerchant, newSession, syncUser, topUp, waitFor } from "./helpers";

/**
 * One fact, one event: an event is recorded when its change commits and never again because a
 * delivery, an alarm or a concurrent call ran twice; its id comes from the fact; and no pile of
 * waiting events can stall an object's forwarding.
 */

/** The payment object itself (not the request path's capacity-guarded stub), for white-box reads. */
const paymentObject = (checkout_id: string) => env.PAYMENT.get(env.PAYMENT.idFromName(objectKeyOf(checkout_id, "session")!));

type StoredEvent = {
  id: string;
  type: string;
  payload: string;
  forwarded_at_ms: number | null;
  request_id: string | null;
  idempotency_key: string | null;
};
const storedEvents = (stub: DurableObjectStub) =>
  runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<StoredEvent>("SELECT id, type, payload, forwarded_at_ms, request_id, idempotency_key FROM events ORDER BY seq")
      .toArray(),
  );

describe("one transfer, one transfer.completed", () => {
  it("a dozen concurrent transfers, delivered by overlapping outbox runs, record one event each, indexed once", async () => {
    const { merchant, user_id, wallet_id } = await fundedUser(120_000);
    const to = (await syncUser(merchant.secret_key)).body.data.mazad_user_id as string;
    const stub = walletObject(env, wallet_id);
    // Deliveries of the sender's outbox race the transfers themselves: each transfer delivers its
    // credit at once, and these extra runs deliver the same rows again meanwhile.
    const flushes = Array.from({ length: 24 }, () => stub.flushOutbox({ wallet_id, now_ms: Date.now() }));
    const transfers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call("POST", "/api/v1/embedded/transfers", {
          token: merchant.secret_key,
          headers: { "Idempotency-Key": `race-${i}-${crypto.randomUUID()}` },
          body: { from_user_id: user_id, to_user_id: to, amount: 1_000 + i, currency: "IQD" },
        }),
      ),
    );
    await Promise.all(flushes);
    for (const t of transfers) expect(t.status, JSON.stringify(t.body)).toBe(201);
    await stub.flushOutbox({ wallet_id, now_ms: Date.now() });

    const completed = (await storedEvents(stub)).filter((e) => e.type === "transfer.completed");
    const transferIds = transfers.map((t) => t.body.data.id as string).sort();
    expect(completed.map((e) => (JSON.parse(e.payload) as { object: { id: string } }).object.id).sort()).toEqual(transferIds);
    expect(new Set(completed.map((e) => e.id)).size).toBe(12);
    await waitFor(
      "the index to hold the twelve",
      () => countRows("SELECT count(*) AS n FROM events WHERE type = 'transfer.completed' AND merchant_id = ?", merchant.merchant_id),
      (n) => n >= 12,
    );
    expect(
      await countRows("SELECT count(*) AS n FROM events WHERE type = 'transfer.completed' AND merchant_id = ?", merchant.merchant_id),
    ).toBe(12);
  }, 60_000);

  it("an event's id is derived from its fact: recording the fact again adds nothing and gives the same id", async () => {
    const { wallet_id } = await fundedUser(0);
    const stub = walletObject(env, wallet_id);
    const ids = await runInDurableObject(stub, (_instance, state) => {
      const outbox = new EventOutbox(state.storage.sql);
      const first = outbox.add("transfer.completed", "trf_fact", { object: { id: "trf_fact" } }, {}, Date.now());
      const again = outbox.add("transfer.completed", "trf_fact", { object: { id: "trf_fact" } }, {}, Date.now());
      const other = outbox.add("hold.created", "trf_fact", { object: { id: "trf_fact" } }, {}, Date.now());
      return {
        first,
        again,
        other,
        rows: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM events WHERE payload LIKE '%trf_fact%'").one().n,
      };
    });
    expect(ids.first).toMatch(/^evt_[0-9A-Za-z]{24}$/);
    expect(ids.again).toBe(ids.first);
    expect(ids.other).not.toBe(ids.first);
    expect(ids.rows).toBe(2);
  });
});

describe("hundreds of waiting events never stall an object's forwarding", () => {
  const PILE = 350;

  /** Records PILE events as if the queue had been down while they were written, then lets the alarm forward them. */
  async function pileUpAndForward(stub: DurableObjectStub, label: string) {
    await runInDurableObject(stub, async (_instance, state) => {
      const outbox = new EventOutbox(state.storage.sql);
      state.storage.transactionSync(() => {
        for (let i = 0; i < PILE; i++) outbox.add("hold.created", `${label}:${i}`, { object: { id: `${label}:${i}` } }, {}, Date.now());
      });
      await state.storage.setAlarm(Date.now());
    });
    for (let round = 0; round < 3; round++) {
      await runDurableObjectAlarm(stub);
      const left = (await storedEvents(stub)).filter((e) => e.forwarded_at_ms === null).length;
      if (left === 0) break;
    }
    expect((await storedEvents(stub)).filter((e) => e.forwarded_at_ms === null)).toEqual([]);
  }

  it(`a wallet forwards ${PILE} waiting events, and the index records each once`, async () => {
    const { merchant, wallet_id } = await fundedUser(1_000);
    const label = `pile-${crypto.randomUUID()}`;
    await pileUpAndForward(walletObject(env, wallet_id), label);
    await waitFor(
      "the index to record the pile",
      () => countRows("SELECT count(*) AS n FROM events WHERE merchant_id = ? AND data LIKE ?", merchant.merchant_id, `%${label}%`),
      (n) => n >= PILE,
    );
    expect(
      await countRows("SELECT count(*) AS n FROM events WHERE merchant_id = ? AND data LIKE ?", merchant.merchant_id, `%${label}%`),
    ).toBe(PILE);
  }, 60_000);

  it(`a payment object forwards ${PILE} waiting events`, async () => {
    const { merchant, user_id } = await fundedUser(1_000);
    const session = await newSession(merchant.secret_key, user_id, 100);
    const label = `pile-${crypto.randomUUID()}`;
    await pileUpAndForward(paymentObject(session.id), label);
    await waitFor(
      "the index to record the pile",
      () => countRows("SELECT count(*) AS n FROM events WHERE merchant_id = ? AND data LIKE ?", merchant.merchant_id, `%${label}%`),
      (n) => n >= PILE,
    );
  }, 60_000);
});

describe("every change of a payment is one event", () => {
  it("a session paid, captured and refunded twice: each fact once in the object and in the index", async () => {
    const merchant = await newMerchant();
    const user = (await syncUser(merchant.secret_key)).body.data.mazad_user_id as string;
    await topUp(merchant.secret_key, user, 50_000);
    const session = await newSession(merchant.secret_key, user, 10_000);
    const paid = await call("POST", `/checkout/${session.id}/pay`, {
      body: { client_secret: session.client_secret, method: "wallet", otp: "123456" },
    });
    expect(paid.body.data.status).toBe("authorized");
    const payment = session.id.replace("cs_test_", "pay_test_");
    expect((await call("POST", `/api/v1/payments/${payment}/capture`, { token: merchant.secret_key })).status).toBe(200);
    const refunds = await Promise.all(
      [1_000, 2_000].map((amount) =>
        call("POST", `/api/v1/payments/${payment}/refund`, {
          token: merchant.secret_key,
          body: { amount, reason: "requested_by_customer" },
        }),
      ),
    );
    for (const r of refunds) expect(r.status, JSON.stringify(r.body)).toBe(200);

    const stub = paymentObject(session.id);
    await runDurableObjectAlarm(stub);
    const events = await storedEvents(stub);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === "payment.captured")).toHaveLength(1);
    expect(types.filter((t) => t === "payment.partially_refunded")).toHaveLength(2);
    expect(types.filter((t) => t === "checkout.authorized")).toHaveLength(1);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    await waitFor(
      "the index",
      () => countRows("SELECT count(*) AS n FROM events WHERE merchant_id = ? AND type LIKE 'payment.%'", merchant.merchant_id),
      (n) => n >= 3,
    );
    expect(
      await countRows(
        "SELECT count(*) AS n FROM events WHERE merchant_id = ? AND type = 'payment.partially_refunded'",
        merchant.merchant_id,
      ),
    ).toBe(2);
  }, 60_000);
});

describe("every event names the request that caused it", () => {
  it("holds and transfers: created, captured, released and completed carry the request id and Idempotency-Key", async () => {
    const { merchant, user_id, wallet_id } = await fundedUser(50_000);
    const to = (await syncUser(merchant.secret_key)).body.data.mazad_user_id as string;
    const keyed = (key: string) => ({ token: merchant.secret_key, headers: { "Idempotency-Key": key } });
    const run = crypto.randomUUID();
    const held = await call("POST", "/api/v1/embedded/holds", { ...keyed(`hold-${run}`), body: { user_id, amount: 100, currency: "IQD" } });
    const released = await call("POST", "/api/v1/embedded/holds", {
      ...keyed(`hold2-${run}`),
      body: { user_id, amount: 100, currency: "IQD" },
    });
    const captured = await call("POST", `/api/v1/embedded/holds/${held.body.data.id}/capture`, keyed(`capture-${run}`));
    const release = await call("POST", `/api/v1/embedded/holds/${released.body.data.id}/release`, keyed(`release-${run}`));
    const transfer = await call("POST", "/api/v1/embedded/transfers", {
      ...keyed(`transfer-${run}`),
      body: { from_user_id: user_id, to_user_id: to, amount: 100, currency: "IQD" },
    });
    const causes = (await storedEvents(walletObject(env, wallet_id))).map((e) => [e.type, e.request_id, e.idempotency_key]);
    expect(causes).toEqual(
      expect.arrayContaining([
        ["hold.created", held.headers.get("X-Request-Id"), `hold-${run}`],
        ["hold.captured", captured.headers.get("X-Request-Id"), `capture-${run}`],
        ["hold.released", release.headers.get("X-Request-Id"), `release-${run}`],
        ["transfer.completed", transfer.headers.get("X-Request-Id"), `transfer-${run}`],
      ]),
    );
  });
});
