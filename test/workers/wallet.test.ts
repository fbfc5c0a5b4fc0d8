import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { walletObject } from "../../src/wallet/wallet-do";
import { balanceOf, call, createKey, fundedUser, newMerchant, syncUser, topUp } from "./helpers";

const flush = (wallet_id: string) => walletObject(env, wallet_id).flushOutbox({ wallet_id, now_ms: Date.now() });

describe("GET /embedded/users/{id}/wallet", () => {
  it("returns the spec's shape with a zero balance in every currency for a new user", async () => {
    const merchant = await newMerchant();
    const user = await syncUser(merchant.secret_key, "usr_12345");
    const res = await call("GET", "/api/v1/embedded/users/usr_12345/wallet", { token: merchant.secret_key });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.data).sort()).toEqual(["balances", "created_at", "external_id", "mazad_user_id", "status", "wallet_id"]);
    expect(res.body.data).toMatchObject({
      wallet_id: user.body.data.wallet_id,
      mazad_user_id: user.body.data.mazad_user_id,
      external_id: "usr_12345",
      status: "active",
      balances: [
        { currency: "IQD", available: 0, held: 0, total: 0 },
        { currency: "USD", available: 0, held: 0, total: 0 },
      ],
    });
  });

  it("answers another merchant's user with 404", async () => {
    const { user_id } = await fundedUser(0);
    const stranger = await newMerchant();
    expect((await call("GET", `/api/v1/embedded/users/${user_id}/wallet`, { token: stranger.secret_key })).status).toBe(404);
  });
});

describe("sandbox top-ups", () => {
  it("credits the wallet with a credit entry", async () => {
    const { merchant, user_id } = await fundedUser(0);
    const res = await topUp(merchant.secret_key, user_id, 1_500_000);
    expect(res.body.data.transaction).toMatchObject({ type: "credit", amount: 1_500_000, currency: "IQD", balance_after: 1_500_000 });
    expect(res.body.data.transaction.id).toMatch(/^txn_/);
    expect(res.body.data.balance).toEqual({ currency: "IQD", available: 1_500_000, held: 0, total: 1_500_000 });
    await topUp(merchant.secret_key, user_id, 5_000, "USD");
    expect(await balanceOf(merchant.secret_key, user_id, "USD")).toMatchObject({ available: 5_000 });
  });

  it("is sandbox only: a live key gets 403", async () => {
    const merchant = await newMerchant();
    const live = await createKey(merchant, "secret", "live");
    const user = await syncUser(live.secret);
    const res = await call("POST", `/api/v1/embedded/users/${user.body.data.mazad_user_id}/wallet/top-ups`, {
      token: live.secret,
      body: { amount: 100, currency: "IQD" },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("sandbox_only");
  });

  it("rejects a float amount with 400, zero or an unknown currency with 422, an amount over the maximum with 422", async () => {
    const { merchant, user_id } = await fundedUser(0);
    const path = `/api/v1/embedded/users/${user_id}/wallet/top-ups`;
    const float = await call("POST", path, { token: merchant.secret_key, body: { amount: 99.99, currency: "USD" } });
    expect(float.status).toBe(400);
    expect(float.body.error).toMatchObject({ code: "parameter_invalid_type", param: "amount" });
    for (const body of [
      { amount: 0, currency: "IQD" },
      { amount: 10, currency: "EUR" },
      { amount: 1e15, currency: "IQD" },
    ]) {
      const res = await call("POST", path, { token: merchant.secret_key, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ total: 0 });
  });

  it("moves money once per Idempotency-Key", async () => {
    const { merchant, user_id } = await fundedUser(0);
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const path = `/api/v1/embedded/users/${user_id}/wallet/top-ups`;
    await Promise.all(
      Array.from({ length: 5 }, () => call("POST", path, { token: merchant.secret_key, headers, body: { amount: 700, currency: "IQD" } })),
    );
    await call("POST", path, { token: merchant.secret_key, headers, body: { amount: 700, currency: "IQD" } });
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 700 });
  });
});

describe("holds", () => {
  it("holds, then releases, moving available <-> held with entries", async () => {
    const { merchant, user_id } = await fundedUser(10_000);
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 2_500, currency: "IQD", reference: "bid_1" },
    });
    expect(hold.status).toBe(201);
    expect(hold.body.data).toMatchObject({ amount: 2_500, status: "active", reference: "bid_1", captured_amount: 0 });
    expect(hold.body.data.id).toMatch(/^hld_/);
    expect(await balanceOf(merchant.secret_key, user_id)).toEqual({ currency: "IQD", available: 7_500, held: 2_500, total: 10_000 });
    const released = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/release`, { token: merchant.secret_key });
    expect(released.status).toBe(200);
    expect(released.body.data.status).toBe("released");
    expect(await balanceOf(merchant.secret_key, user_id)).toEqual({ currency: "IQD", available: 10_000, held: 0, total: 10_000 });
    // A hold is released once: another release (without the first one's Idempotency-Key) is refused.
    const again = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/release`, { token: merchant.secret_key });
    expect(again.status).toBe(422);
    expect(again.body.error).toMatchObject({ code: "hold_not_active", param: "id" });
    const list = await call("GET", `/api/v1/embedded/users/${user_id}/transactions`, { token: merchant.secret_key });
    expect(list.body.data.transactions.map((t: any) => t.type)).toEqual(["release", "hold", "credit"]);
    // Entries name the hold; the merchant's reference stays on the hold.
    expect(list.body.data.transactions.slice(0, 2).map((t: any) => t.reference)).toEqual([hold.body.data.id, hold.body.data.id]);
  });

  it("refuses a hold beyond available funds with 422 insufficient_funds and leaves no trace", async () => {
    const { merchant, user_id } = await fundedUser(1_000);
    const res = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 1_001, currency: "IQD" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "insufficient_funds", param: "amount" });
    const wallet_id = (await call("GET", `/api/v1/embedded/users/${user_id}/wallet`, { token: merchant.secret_key })).body.data.wallet_id;
    const holds = await runInDurableObject(
      walletObject(env, wallet_id),
      (_instance, state) => state.storage.sql.exec("SELECT count(*) AS n FROM holds").one().n,
    );
    expect(holds).toBe(0);
    expect(await balanceOf(merchant.secret_key, user_id)).toEqual({ currency: "IQD", available: 1_000, held: 0, total: 1_000 });
  });

  it("captures part of a hold: net to the settlement wallet, commission to the platform, rest released", async () => {
    const { merchant, user_id, wallet_id } = await fundedUser(50_000);
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 40_000, currency: "IQD" },
    });
    const captured = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/capture`, {
      token: merchant.secret_key,
      body: { amount: 10_020 },
    });
    expect(captured.status).toBe(200);
    // 2.5 % of 10,020 is 250.5: rounded half up to 251.
    expect(captured.body.data).toMatchObject({
      status: "captured",
      captured_amount: 10_020,
      commission_amount: 251,
      merchant_amount: 9_769,
    });
    // One name, one meaning: a payment's net_amount is captured − refunded; a hold has none.
    expect(captured.body.data).not.toHaveProperty("net_amount");
    expect(await balanceOf(merchant.secret_key, user_id)).toEqual({ currency: "IQD", available: 39_980, held: 0, total: 39_980 });
    await flush(wallet_id);
    const balance = await call("GET", "/api/v1/balance", { token: merchant.secret_key });
    expect(balance.body.data.balances.find((b: any) => b.currency === "IQD")).toEqual({
      currency: "IQD",
      available: 9_769,
      held: 0,
      total: 9_769,
    });
    const audit = await call("GET", "/api/v1/ledger/audit?currency=IQD", { token: merchant.secret_key });
    expect(audit.body.data).toMatchObject({
      balanced: true,
      wallets_total: 49_749,
      platform_commission: 251,
      external_credits: 50_000,
      outbox_pending: 0,
    });
    const second = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/capture`, { token: merchant.secret_key, body: {} });
    expect(second.status).toBe(422);
    expect(second.body.error.code).toBe("hold_not_active");
    const read = await call("GET", `/api/v1/embedded/holds/${hold.body.data.id}`, { token: merchant.secret_key });
    expect(read.body.data).toMatchObject({ status: "captured", captured_amount: 10_020, commission_amount: 251, merchant_amount: 9_769 });
    expect(read.body.data).not.toHaveProperty("net_amount");
    const release = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/release`, { token: merchant.secret_key });
    expect(release.status).toBe(422);
    expect(release.body.error.code).toBe("hold_not_active");
  });

  it("refuses to capture more than the hold", async () => {
    const { merchant, user_id } = await fundedUser(5_000);
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 1_000, currency: "IQD" },
    });
    const res = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/capture`, {
      token: merchant.secret_key,
      body: { amount: 1_001 },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("amount_exceeds_hold");
  });

  it("hides another merchant's hold behind a 404", async () => {
    const { merchant, user_id } = await fundedUser(5_000);
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 1_000, currency: "IQD" },
    });
    const stranger = await newMerchant();
    for (const action of ["release", "capture"]) {
      const res = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/${action}`, { token: stranger.secret_key });
      expect(res.status).toBe(404);
    }
    expect((await call("GET", `/api/v1/embedded/holds/${hold.body.data.id}`, { token: stranger.secret_key })).status).toBe(404);
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ held: 1_000 });
  });
});

describe("transfers", () => {
  it("moves money between two users of the merchant", async () => {
    const { merchant, user_id: from } = await fundedUser(8_000);
    const to = (await syncUser(merchant.secret_key)).body.data.mazad_user_id;
    const res = await call("POST", "/api/v1/embedded/transfers", {
      token: merchant.secret_key,
      body: { from_user_id: from, to_user_id: to, amount: 3_000, currency: "IQD", description: "Gift" },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ from_user_id: from, to_user_id: to, amount: 3_000, status: "succeeded" });
    expect(res.body.data.id).toMatch(/^trf_/);
    expect(await balanceOf(merchant.secret_key, from)).toMatchObject({ available: 5_000 });
    expect(await balanceOf(merchant.secret_key, to)).toMatchObject({ available: 3_000 });
    const received = await call("GET", `/api/v1/embedded/users/${to}/transactions`, { token: merchant.secret_key });
    expect(received.body.data.transactions[0]).toMatchObject({
      type: "credit",
      amount: 3_000,
      reference: res.body.data.id,
      description: "Gift",
    });
  });

  it("refuses overdrafts, self-transfers and another merchant's user", async () => {
    const { merchant, user_id: from } = await fundedUser(100);
    const to = (await syncUser(merchant.secret_key)).body.data.mazad_user_id;
    const foreign = await fundedUser(0);
    const body = (over: object) => ({ from_user_id: from, to_user_id: to, amount: 50, currency: "IQD", ...over });
    const overdraft = await call("POST", "/api/v1/embedded/transfers", { token: merchant.secret_key, body: body({ amount: 101 }) });
    expect(overdraft.body.error.code).toBe("insufficient_funds");
    expect(
      (await call("POST", "/api/v1/embedded/transfers", { token: merchant.secret_key, body: body({ to_user_id: from }) })).status,
    ).toBe(422);
    const cross = await call("POST", "/api/v1/embedded/transfers", {
      token: merchant.secret_key,
      body: body({ to_user_id: foreign.user_id }),
    });
    expect(cross.status).toBe(404);
    expect(cross.body.error.param).toBe("to_user_id");
    expect(await balanceOf(merchant.secret_key, from)).toMatchObject({ available: 100 });
  });
});

describe("concurrency", () => {
  it("200 parallel holds of 10 against 1,000: exactly 100 succeed", async () => {
    const { merchant, user_id } = await fundedUser(1_000);
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        call("POST", "/api/v1/embedded/holds", { token: merchant.secret_key, body: { user_id, amount: 10, currency: "IQD" } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(100);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(100);
    for (const r of refused) expect(r.body.error.code).toBe("insufficient_funds");
    expect(await balanceOf(merchant.secret_key, user_id)).toEqual({ currency: "IQD", available: 0, held: 1_000, total: 1_000 });
    const holds = await call("GET", `/api/v1/embedded/users/${user_id}/transactions?type=hold&per_page=100`, {
      token: merchant.secret_key,
    });
    expect(holds.body.data.pagination.total).toBe(100);
    expect(holds.body.data.transactions.map((t: any) => t.balance_after).sort((a: number, b: number) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i * 10),
    );
  });
});
