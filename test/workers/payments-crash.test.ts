import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { objectKeyOf } from "../../src/domain/ids";
import type { PaymentDO } from "../../src/payments/payment-do";
import { walletObject, type WalletDO } from "../../src/wallet/wallet-do";
import { balanceOf, call, fundedUser, newSession, payWithWallet, settle, type TestMerchant } from "./helpers";

/**
 * A payment's steps on wallets, interrupted: the payment object "dies" after a wallet moved the
 * money but before the payment recorded it (its completion throws, then it is evicted), or a
 * wallet is unreachable when the step runs. Storage alone survives; the alarm must finish each
 * step exactly once, and the request's key must then replay the finished answer.
 */
function paymentObject(payment_id: string) {
  return env.PAYMENT.get(env.PAYMENT.idFromName(objectKeyOf(payment_id, "payment")!)) as DurableObjectStub<PaymentDO>;
}

/** The next completion throws: the object dies between the wallet's answer and recording it. */
async function dieBeforeRecording(payment_id: string) {
  await runInDurableObject(paymentObject(payment_id), (instance: PaymentDO) => {
    (instance as unknown as { complete: () => never }).complete = () => {
      throw new Error("simulated crash before the result is recorded");
    };
  });
}

/** Restarts the object from storage and lets its alarm run every step now (past their retry backoff). */
async function restartAndRunAlarm(payment_id: string) {
  const stub = paymentObject(payment_id);
  await evictDurableObject(stub);
  await runInDurableObject(stub, (_i, state) => {
    state.storage.sql.exec("UPDATE steps SET next_attempt_at_ms = 0 WHERE status = 'pending'");
  });
  expect(await runDurableObjectAlarm(stub)).toBe(true);
}

async function stepsPending(payment_id: string) {
  return runInDurableObject(
    paymentObject(payment_id),
    (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM steps WHERE status = 'pending'").one().n,
  );
}

async function eventTypes(payment_id: string) {
  return runInDurableObject(paymentObject(payment_id), (_i, state) =>
    state.storage.sql
      .exec<{ type: string }>("SELECT type FROM events ORDER BY seq")
      .toArray()
      .map((e) => e.type),
  );
}

async function entries(m: TestMerchant, user_id: string, type: string) {
  return (await call("GET", `/api/v1/embedded/users/${user_id}/transactions?type=${type}`, { token: m.secret_key })).body.data
    .transactions as { amount: number; reference: string }[];
}

async function authorized(amount: number) {
  const { merchant, user_id, wallet_id } = await fundedUser(amount * 2);
  const session = await newSession(merchant.secret_key, user_id, amount);
  await payWithWallet(session);
  return { merchant, user_id, wallet_id, payment_id: session.id.replace("cs_test_", "pay_test_") };
}

async function expectBalanced(m: TestMerchant, ...wallets: string[]) {
  const settlement = (await call("GET", "/api/v1/balance", { token: m.secret_key })).body.data.wallet_id;
  await settle(...wallets, settlement);
  expect((await call("GET", "/api/v1/ledger/audit?currency=IQD", { token: m.secret_key })).body.data).toMatchObject({
    balanced: true,
    outbox_pending: 0,
    holds_consistent: true,
  });
}

describe("a payment object that dies between steps", () => {
  it("capture: the alarm records the capture the wallet made, once; the request's key then replays it", async () => {
    const { merchant, user_id, wallet_id, payment_id } = await authorized(10_000);
    await dieBeforeRecording(payment_id);
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const died = await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, headers, body: {} });
    expect(died.status).toBe(500);
    // The wallet captured; the payment does not know yet. A retry meanwhile is told to wait.
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 10_000, held: 0 });
    expect((await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, headers, body: {} })).status).toBe(
      409,
    );
    await restartAndRunAlarm(payment_id);
    expect(await stepsPending(payment_id)).toBe(0);
    const retry = await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, headers, body: {} });
    expect(retry.status).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(retry.body.data).toMatchObject({ status: "captured", captured_amount: 10_000 });
    expect((await entries(merchant, user_id, "debit")).filter((e) => e.reference === payment_id)).toHaveLength(1);
    expect(await eventTypes(payment_id)).toEqual(["checkout.authorized", "payment.captured"]);
    await expectBalanced(merchant, wallet_id);
  });

  it("capture with the buyer's wallet unreachable: retried by the alarm until it lands, once", async () => {
    const { merchant, user_id, wallet_id, payment_id } = await authorized(4_000);
    await runInDurableObject(walletObject(env, wallet_id), (instance: WalletDO) => {
      (instance as unknown as { captureHold: () => never }).captureHold = () => {
        throw new Error("wallet unreachable");
      };
    });
    expect((await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, body: {} })).status).toBe(500);
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ held: 4_000 });
    expect(await stepsPending(payment_id)).toBe(1);
    await evictDurableObject(walletObject(env, wallet_id));
    await restartAndRunAlarm(payment_id);
    expect((await call("GET", `/api/v1/payments/${payment_id}`, { token: merchant.secret_key })).body.data.status).toBe("captured");
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 4_000, held: 0 });
    expect(await eventTypes(payment_id)).toEqual(["checkout.authorized", "payment.captured"]);
    await expectBalanced(merchant, wallet_id);
  });

  it("void: the release the wallet made is recorded once", async () => {
    const { merchant, user_id, wallet_id, payment_id } = await authorized(3_000);
    await dieBeforeRecording(payment_id);
    expect((await call("POST", `/api/v1/payments/${payment_id}/void`, { token: merchant.secret_key })).status).toBe(500);
    await restartAndRunAlarm(payment_id);
    expect((await call("GET", `/api/v1/payments/${payment_id}`, { token: merchant.secret_key })).body.data.status).toBe("voided");
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 6_000, held: 0 });
    expect((await entries(merchant, user_id, "release")).filter((e) => e.reference === payment_id)).toHaveLength(1);
    expect(await eventTypes(payment_id)).toEqual(["checkout.authorized", "payment.voided"]);
    await expectBalanced(merchant, wallet_id);
  });

  it("refund: both legs (merchant and commission) land once, and the refund completes once", async () => {
    const { merchant, user_id, wallet_id, payment_id } = await authorized(30_000);
    await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, body: {} });
    await settle(wallet_id);
    await dieBeforeRecording(payment_id);
    expect(
      (
        await call("POST", `/api/v1/payments/${payment_id}/refund`, {
          token: merchant.secret_key,
          body: { amount: 10_000, reason: "crash" },
        })
      ).status,
    ).toBe(500);
    await restartAndRunAlarm(payment_id);
    const payment = (await call("GET", `/api/v1/payments/${payment_id}`, { token: merchant.secret_key })).body.data;
    expect(payment).toMatchObject({ status: "partially_refunded", refunded_amount: 10_000, commission_amount: 500 });
    await expectBalanced(merchant, wallet_id);
    const refunds = (await entries(merchant, user_id, "refund")).map((e) => e.amount).sort((a, b) => a - b);
    expect(refunds).toEqual([250, 9_750]);
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 30_000 + 10_000 });
    expect(await eventTypes(payment_id)).toEqual(["checkout.authorized", "payment.captured", "payment.partially_refunded"]);
  });

  it("auto-void: the 7-day release is recorded once after the object died firing it", async () => {
    const { merchant, user_id, wallet_id, payment_id } = await authorized(2_000);
    await dieBeforeRecording(payment_id);
    await call("POST", "/api/v1/sandbox/clock", { token: merchant.secret_key, body: { advance_seconds: 7 * 86_400 + 1 } });
    // Firing started (the funds may already be released) but the payment did not record it.
    await restartAndRunAlarm(payment_id);
    expect((await call("GET", `/api/v1/payments/${payment_id}`, { token: merchant.secret_key })).body.data.status).toBe("expired");
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 4_000, held: 0 });
    expect((await entries(merchant, user_id, "release")).filter((e) => e.reference === payment_id)).toHaveLength(1);
    expect(await eventTypes(payment_id)).toEqual(["checkout.authorized", "payment.expired"]);
    await expectBalanced(merchant, wallet_id);
  });
});
