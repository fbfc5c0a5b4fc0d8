import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { WalletDO } from "../../src/wallet/wallet-do";
import { walletStub } from "../../src/wallet/wallet-do";
import { balanceOf, call, fundedUser, syncUser } from "./helpers";

/**
 * Crashes in the middle of a move between two wallet objects. The source's transaction (debit +
 * outbox row) commits; then the object "dies" at a chosen step — we replace one of its internal
 * steps with a throw, then evict the object so the replacement and all memory are gone. Whatever
 * survives is storage alone, and the alarm must finish the move exactly once.
 */
type Internals = { deliverOutbox: () => Promise<void>; store: { markSent: (...args: unknown[]) => void } };
const internals = (instance: WalletDO) => instance as unknown as Internals;

async function receivedEntries(secret_key: string, user_id: string) {
  const res = await call("GET", `/api/v1/embedded/users/${user_id}/transactions?type=credit`, { token: secret_key });
  return res.body.data.transactions as { amount: number; reference: string }[];
}

async function pendingOutbox(wallet_id: string) {
  return (await walletStub(env, wallet_id).auditTotals({ wallet_id, now_ms: Date.now() }, "IQD")).outbox_pending;
}

describe("a crash in the middle of a move", () => {
  it("after the debit commits but before delivery: the alarm delivers the credit once", async () => {
    const { merchant, user_id: from, wallet_id: fromWallet } = await fundedUser(5_000);
    const to = (await syncUser(merchant.secret_key)).body.data;
    const stub = walletStub(env, fromWallet);
    await runInDurableObject(stub, (instance: WalletDO) => {
      internals(instance).deliverOutbox = async () => {
        throw new Error("simulated crash before delivery");
      };
      const result = instance.transfer(
        { wallet_id: fromWallet, now_ms: Date.now() },
        { operation_id: "crash-a", to_wallet_id: to.wallet_id, entry_type: "credit", merchant_id: merchant.merchant_id, currency: "IQD", amount: 3_000, description: null, reference: "trf_crash_a" },
      );
      expect(result.ok).toBe(true);
    });
    await evictDurableObject(stub);

    expect(await balanceOf(merchant.secret_key, from)).toMatchObject({ available: 2_000 });
    expect(await balanceOf(merchant.secret_key, to.mazad_user_id)).toMatchObject({ available: 0 });
    expect(await pendingOutbox(fromWallet)).toBe(3_000);

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await balanceOf(merchant.secret_key, to.mazad_user_id)).toMatchObject({ available: 3_000 });
    expect(await pendingOutbox(fromWallet)).toBe(0);

    // Further alarms and flushes find nothing left to do.
    await runDurableObjectAlarm(stub);
    await stub.flushOutbox({ wallet_id: fromWallet, now_ms: Date.now() });
    expect(await receivedEntries(merchant.secret_key, to.mazad_user_id)).toHaveLength(1);
    const audit = await call("GET", "/api/v1/ledger/audit?currency=IQD", { token: merchant.secret_key });
    expect(audit.body.data).toMatchObject({ balanced: true, wallets_total: 5_000 });
  });

  it("after the credit lands but before the source marks it sent: redelivery is a no-op", async () => {
    const { merchant, user_id: from, wallet_id: fromWallet } = await fundedUser(5_000);
    const to = (await syncUser(merchant.secret_key)).body.data;
    const stub = walletStub(env, fromWallet);
    await runInDurableObject(stub, async (instance: WalletDO) => {
      internals(instance).store.markSent = () => {
        throw new Error("simulated crash after delivery");
      };
      instance.transfer(
        { wallet_id: fromWallet, now_ms: Date.now() },
        { operation_id: "crash-b", to_wallet_id: to.wallet_id, entry_type: "credit", merchant_id: merchant.merchant_id, currency: "IQD", amount: 1_500, description: null, reference: "trf_crash_b" },
      );
      await instance.flushOutbox({ wallet_id: fromWallet, now_ms: Date.now() });
    });
    await evictDurableObject(stub);

    // The target has the credit, yet the source still counts it as undelivered.
    expect(await balanceOf(merchant.secret_key, to.mazad_user_id)).toMatchObject({ available: 1_500 });
    expect(await pendingOutbox(fromWallet)).toBe(1_500);

    // Jump past the retry backoff, then let the alarm redeliver.
    await call("POST", "/api/v1/sandbox/clock", { token: merchant.secret_key, body: { advance_seconds: 600 } });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await pendingOutbox(fromWallet)).toBe(0);
    expect(await balanceOf(merchant.secret_key, to.mazad_user_id)).toMatchObject({ available: 1_500 });
    expect(await receivedEntries(merchant.secret_key, to.mazad_user_id)).toHaveLength(1);
    expect(await balanceOf(merchant.secret_key, from)).toMatchObject({ available: 3_500 });
  });

  it("a capture whose delivery died: settlement and commission arrive exactly once", async () => {
    const { merchant, user_id, wallet_id } = await fundedUser(20_000);
    const hold = await call("POST", "/api/v1/embedded/holds", { token: merchant.secret_key, body: { user_id, amount: 10_000, currency: "IQD" } });
    const stub = walletStub(env, wallet_id);
    await runInDurableObject(stub, (instance: WalletDO) => {
      internals(instance).deliverOutbox = async () => {
        throw new Error("simulated crash before delivery");
      };
    });
    const captured = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/capture`, { token: merchant.secret_key });
    expect(captured.body.data).toMatchObject({ commission_amount: 250, net_amount: 9_750 });
    await evictDurableObject(stub);
    const before = await call("GET", "/api/v1/balance", { token: merchant.secret_key });
    expect(before.body.data.balances[0].available).toBe(0);

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runDurableObjectAlarm(stub);
    const after = await call("GET", "/api/v1/balance", { token: merchant.secret_key });
    expect(after.body.data.balances[0].available).toBe(9_750);
    const audit = await call("GET", "/api/v1/ledger/audit?currency=IQD", { token: merchant.secret_key });
    expect(audit.body.data).toMatchObject({ balanced: true, platform_commission: 250, outbox_pending: 0 });
  });

  it("a repeated operation id is a no-op that returns the first result", async () => {
    const { wallet_id } = await fundedUser(0);
    const stub = walletStub(env, wallet_id);
    const move = { operation_id: "same-op", currency: "IQD" as const, amount: 400, description: null, reference: null };
    const first = await stub.creditExternal({ wallet_id, now_ms: Date.now() }, move);
    const second = await stub.creditExternal({ wallet_id, now_ms: Date.now() }, { ...move, amount: 999 });
    expect(second).toEqual(first);
    await evictDurableObject(stub);
    const third = await stub.creditExternal({ wallet_id, now_ms: Date.now() }, move);
    expect(third).toEqual(first);
    const balances = await stub.balances({ wallet_id, now_ms: Date.now() });
    expect(balances.find((b) => b.currency === "IQD")).toMatchObject({ available: 400 });
  });
});
