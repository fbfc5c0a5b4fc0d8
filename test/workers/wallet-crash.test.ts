import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { WalletDO } from "../../src/wallet/wallet-do";
import { walletObject } from "../../src/wallet/wallet-do";
import { balanceOf, call, fundedUser, syncUser } from "./helpers";

/**
 * Crashes in the middle of a move between two wallet objects. The source's transaction (debit +
 * outbox row) commits; then the object "dies" at a chosen step — we replace one of its internal
 * steps with a throw, then evict the object so the replacement and all memory are gone. Whatever
 * survives is storage alone, and the alarm must finish the move exactly once.
 */
type Internals = { outbox: { deliver: () => Promise<void> }; moves: { markSent: (...args: unknown[]) => void } };
const internals = (instance: WalletDO) => instance as unknown as Internals;

async function receivedEntries(secret_key: string, user_id: string) {
  const res = await call("GET", `/api/v1/embedded/users/${user_id}/transactions?type=credit`, { token: secret_key });
  return res.body.data.transactions as { amount: number; reference: string }[];
}

async function pendingOutbox(wallet_id: string) {
  const totals = await walletObject(env, wallet_id).auditTotals({ wallet_id, now_ms: Date.now() }, "IQD");
  if (!totals.ok) throw new Error(totals.message);
  return totals.outbox_pending;
}

function transferRequest(operation_id: string, to: { wallet_id: string; mazad_user_id: string }, amount: number) {
  return {
    operation_id,
    transfer_id: `trf_${operation_id}`,
    from_user_id: "mzd_usr_sender",
    to_user_id: to.mazad_user_id,
    to_wallet_id: to.wallet_id,
    currency: "IQD" as const,
    amount,
    description: null,
    reference: null,
  };
}

describe("a crash in the middle of a move", () => {
  it("after the debit commits but before delivery: the alarm delivers the credit once", async () => {
    const { merchant, user_id: from, wallet_id: fromWallet } = await fundedUser(5_000);
    const to = (await syncUser(merchant.secret_key)).body.data;
    const stub = walletObject(env, fromWallet);
    await runInDurableObject(stub, async (instance: WalletDO) => {
      internals(instance).outbox.deliver = async () => {
        throw new Error("simulated crash before delivery");
      };
      await expect(instance.transfer({ wallet_id: fromWallet, now_ms: Date.now() }, transferRequest("crash-a", to, 3_000))).rejects.toThrow(
        "simulated crash",
      );
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
    // The transfer died before answering; once its lock lapses a retry gets the committed transfer.
    const retry = await stub.transfer({ wallet_id: fromWallet, now_ms: Date.now() + 60_000 }, transferRequest("crash-a", to, 3_000));
    expect(retry).toMatchObject({ ok: true, replayed: true, transfer: { id: "trf_crash-a", amount: 3_000 } });
    expect(await balanceOf(merchant.secret_key, from)).toMatchObject({ available: 2_000 });
    const audit = await call("GET", "/api/v1/ledger/audit?currency=IQD", { token: merchant.secret_key });
    expect(audit.body.data).toMatchObject({ balanced: true, wallets_total: 5_000 });
  });

  it("after the credit lands but before the source marks it sent: redelivery is a no-op", async () => {
    const { merchant, user_id: from, wallet_id: fromWallet } = await fundedUser(5_000);
    const to = (await syncUser(merchant.secret_key)).body.data;
    const stub = walletObject(env, fromWallet);
    await runInDurableObject(stub, async (instance: WalletDO) => {
      internals(instance).moves.markSent = () => {
        throw new Error("simulated crash after delivery");
      };
      await instance.transfer({ wallet_id: fromWallet, now_ms: Date.now() }, transferRequest("crash-b", to, 1_500)).catch(() => undefined);
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
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 10_000, currency: "IQD" },
    });
    const stub = walletObject(env, wallet_id);
    await runInDurableObject(stub, (instance: WalletDO) => {
      internals(instance).outbox.deliver = async () => {
        throw new Error("simulated crash before delivery");
      };
    });
    const captured = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/capture`, { token: merchant.secret_key });
    expect(captured.body.data).toMatchObject({ commission_amount: 250, merchant_amount: 9_750 });
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

  it("a repeated operation id returns the first result; the same id for another request is refused", async () => {
    const { wallet_id } = await fundedUser(0);
    const stub = walletObject(env, wallet_id);
    const now = () => ({ wallet_id, now_ms: Date.now() });
    const move = { operation_id: "same-op", currency: "IQD" as const, amount: 400, description: null, reference: null };
    const first = await stub.creditExternal(now(), move);
    expect(first).toMatchObject({ ok: true, entry: { amount: 400 } });
    const repeat = await stub.creditExternal(now(), move);
    expect(repeat).toEqual({ ...first, replayed: true });
    const other = await stub.creditExternal(now(), { ...move, amount: 999 });
    expect(other).toMatchObject({ ok: false, code: "idempotency_key_reused" });
    await evictDurableObject(stub);
    expect(await stub.creditExternal(now(), move)).toEqual({ ...first, replayed: true });
    expect(await stub.creditExternal(now(), { ...move, currency: "USD" })).toMatchObject({ ok: false, code: "idempotency_key_reused" });
    const balances = await stub.balances(now());
    expect(balances.ok && balances.balances).toEqual([
      { currency: "IQD", available: 400, held: 0, total: 400 },
      { currency: "USD", available: 0, held: 0, total: 0 },
    ]);
  });
});
