import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CURRENCIES } from "../../src/domain/currencies";
import { walletObject, type WalletDO } from "../../src/wallet/wallet-do";
import {
  balanceOf,
  call,
  countRows,
  createKey,
  fundedUser,
  newMerchant,
  registerAndLogin,
  syncUser,
  topUp,
  type TestMerchant,
} from "./helpers";

/**
 * An operation id — an Idempotency-Key's or a step's — means one request, forever: the same id
 * with another request is refused, never replayed as a success, and no two wallets' ids can collide.
 * Every scenario ends with the merchant's audit balanced.
 */

async function expectBalanced(merchant: TestMerchant, currency = "IQD") {
  const audit = await call("GET", `/api/v1/ledger/audit?currency=${currency}`, { token: merchant.secret_key });
  expect(audit.body.data, `audit ${currency}`).toMatchObject({ balanced: true, outbox_pending: 0, holds_consistent: true });
  return audit.body.data;
}

const transfer = (merchant: TestMerchant, key: string, body: object) =>
  call("POST", "/api/v1/embedded/transfers", { token: merchant.secret_key, headers: { "Idempotency-Key": key }, body });

async function threeUsers(funds: number) {
  const a = await fundedUser(funds);
  const m = a.merchant;
  const b = await fundedUser(0, m);
  const c = await fundedUser(funds, m);
  const d = await fundedUser(0, m);
  return { m, a: a.user_id, b: b.user_id, c: c.user_id, d: d.user_id, c_wallet: c.wallet_id };
}

describe("an Idempotency-Key reused for a different request", () => {
  it(
    "after the 24 h a key used to be kept: another sender's transfer runs as its own and lands; " +
      "the first sender's id refuses another request",
    async () => {
      const { m, a, b, c, d } = await threeUsers(1_000);
      const first = await transfer(m, "K1", { from_user_id: a, to_user_id: b, amount: 100, currency: "IQD" });
      expect(first.status).toBe(201);
      await call("POST", "/api/v1/sandbox/clock", { token: m.secret_key, body: { advance_seconds: 25 * 3600 } });

      // c's wallet never saw K1: the transfer is c's own, and b receives it (credits are kept per source).
      const fromC = await transfer(m, "K1", { from_user_id: c, to_user_id: b, amount: 500, currency: "IQD" });
      expect(fromC.status).toBe(201);
      expect(fromC.body.data).toMatchObject({ status: "succeeded", amount: 500 });
      expect(await balanceOf(m.secret_key, b)).toMatchObject({ available: 600 });
      expect(await balanceOf(m.secret_key, c)).toMatchObject({ available: 500 });

      // a's wallet did see K1: naming another recipient and amount is refused, and nothing moves.
      const variant = await transfer(m, "K1", { from_user_id: a, to_user_id: d, amount: 500, currency: "IQD" });
      expect(variant.status).toBe(422);
      expect(variant.body.error).toMatchObject({ code: "idempotency_key_reused", param: "Idempotency-Key" });
      expect(await balanceOf(m.secret_key, a)).toMatchObject({ available: 900 });
      expect(await balanceOf(m.secret_key, d)).toMatchObject({ available: 0 });

      // The genuine retry, a day later, still gets the first answer byte for byte.
      const retry = await transfer(m, "K1", { from_user_id: a, to_user_id: b, amount: 100, currency: "IQD" });
      expect(retry.status).toBe(201);
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
      expect(retry.body).toEqual(first.body);
      await expectBalanced(m);
    },
  );

  it(
    "after a 5xx that followed the commit: a retry with another body is refused, " + "the same body replays once the first request is over",
    async () => {
      const { m, a, b, d } = await threeUsers(1_000);
      const wallet_id = (await call("GET", `/api/v1/embedded/users/${a}/wallet`, { token: m.secret_key })).body.data.wallet_id;
      const stub = walletObject(env, wallet_id);
      await runInDurableObject(stub, (instance: WalletDO) => {
        (instance as unknown as { outbox: { deliver: () => Promise<void> } }).outbox.deliver = async () => {
          throw new Error("simulated failure after the commit");
        };
      });
      const failed = await transfer(m, "K5", { from_user_id: a, to_user_id: b, amount: 300, currency: "IQD" });
      expect(failed.status).toBe(500);
      expect(failed.body.error.code).toBe("internal_error");
      await evictDurableObject(stub);

      const other = await transfer(m, "K5", { from_user_id: a, to_user_id: d, amount: 700, currency: "IQD" });
      expect(other.status).toBe(422);
      expect(other.body.error.code).toBe("idempotency_key_reused");
      // The first request's answer is still owed for up to 30 s: a same-body retry is told to wait.
      const tooSoon = await transfer(m, "K5", { from_user_id: a, to_user_id: b, amount: 300, currency: "IQD" });
      expect(tooSoon.status).toBe(409);
      expect(tooSoon.body.error.code).toBe("idempotency_key_in_use");
      await call("POST", "/api/v1/sandbox/clock", { token: m.secret_key, body: { advance_seconds: 60 } });
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      const retry = await transfer(m, "K5", { from_user_id: a, to_user_id: b, amount: 300, currency: "IQD" });
      expect(retry.status).toBe(201);
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
      expect(await balanceOf(m.secret_key, a)).toMatchObject({ available: 700 });
      expect(await balanceOf(m.secret_key, b)).toMatchObject({ available: 300 });
      expect(await balanceOf(m.secret_key, d)).toMatchObject({ available: 0 });
      await expectBalanced(m);
    },
  );

  it("concurrently: ten requests with one key and ten different amounts move money once", async () => {
    const { m, a, b } = await threeUsers(10_000);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => transfer(m, "K10", { from_user_id: a, to_user_id: b, amount: 100 * (i + 1), currency: "IQD" })),
    );
    const executed = results.filter((r) => r.status === 201);
    expect(executed).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) expect(r.body.error.code).toBe("idempotency_key_reused");
    const moved = executed[0]!.body.data.amount;
    expect(await balanceOf(m.secret_key, a)).toMatchObject({ available: 10_000 - moved });
    expect(await balanceOf(m.secret_key, b)).toMatchObject({ available: moved });
    await expectBalanced(m);
  });

  it("concurrently with one body: one effect, and every answer is the same bytes", async () => {
    const { merchant, user_id } = await fundedUser(10_000);
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const body = { user_id, amount: 1_234, currency: "IQD", reference: "bid_9" };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call("POST", "/api/v1/embedded/holds", { token: merchant.secret_key, headers, body })),
    );
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(results.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(results.filter((r) => r.headers.get("Idempotent-Replayed") === "true")).toHaveLength(19);
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 8_766, held: 1_234 });
    await expectBalanced(merchant);
  });

  it("credits from two wallets with the same operation id both land: the target keeps them per source", async () => {
    const target = await fundedUser(0);
    const credit = {
      operation_id: "same-id",
      kind: "transfer" as const,
      entry_type: "credit" as const,
      currency: "IQD" as const,
      amount: 250,
      description: null,
      reference: "trf_x",
    };
    const stub = walletObject(env, target.wallet_id);
    const at = { wallet_id: target.wallet_id, now_ms: Date.now() };
    expect(await stub.applyCredits(at, "wal_sourceAAAAAAAAAAAA", [credit])).toEqual({ applied: 1 });
    expect(await stub.applyCredits(at, "wal_sourceBBBBBBBBBBBB", [credit])).toEqual({ applied: 1 });
    expect(await stub.applyCredits(at, "wal_sourceAAAAAAAAAAAA", [credit])).toEqual({ applied: 0 });
    expect(await balanceOf(target.merchant.secret_key, target.user_id)).toMatchObject({ available: 500 });
    // A source that redelivers an id with other contents has a bug: it is refused loudly, nothing applies.
    await runInDurableObject(stub, (instance: WalletDO) => {
      expect(() => instance.applyCredits(at, "wal_sourceAAAAAAAAAAAA", [{ ...credit, amount: 999 }])).toThrow(/different contents/);
    });
    expect(await balanceOf(target.merchant.secret_key, target.user_id)).toMatchObject({ available: 500 });
  });
});

describe("a hold is captured or released once", () => {
  const hold = (m: TestMerchant, user_id: string, amount: number, key?: string) =>
    call("POST", "/api/v1/embedded/holds", {
      token: m.secret_key,
      headers: key ? { "Idempotency-Key": key } : {},
      body: { user_id, amount, currency: "IQD" },
    });
  const capture = (m: TestMerchant, id: string, amount: number, key?: string) =>
    call("POST", `/api/v1/embedded/holds/${id}/capture`, {
      token: m.secret_key,
      headers: key ? { "Idempotency-Key": key } : {},
      body: { amount },
    });

  it("capture 100, then capture 900: the second is 422 hold_not_active", async () => {
    const { merchant, user_id } = await fundedUser(5_000);
    const placed = await hold(merchant, user_id, 1_000);
    expect((await capture(merchant, placed.body.data.id, 100)).status).toBe(200);
    const second = await capture(merchant, placed.body.data.id, 900);
    expect(second.status).toBe(422);
    expect(second.body.error).toMatchObject({ code: "hold_not_active", param: "id" });
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 4_900, held: 0 });
    await expectBalanced(merchant);
  });

  it("ten concurrent captures with different amounts: one succeeds, nine are 422", async () => {
    const { merchant, user_id } = await fundedUser(5_000);
    const placed = await hold(merchant, user_id, 1_000);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => capture(merchant, placed.body.data.id, 100 + i)));
    const captured = results.filter((r) => r.status === 200);
    expect(captured).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expect(r.body.error.code).toBe("hold_not_active");
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 5_000 - captured[0]!.body.data.captured_amount });
    await expectBalanced(merchant);
  });

  it("a retry with the same Idempotency-Key replays; the same key with another amount is refused", async () => {
    const { merchant, user_id } = await fundedUser(5_000);
    const placed = await hold(merchant, user_id, 1_000);
    const first = await capture(merchant, placed.body.data.id, 400, "cap-1");
    const replay = await capture(merchant, placed.body.data.id, 400, "cap-1");
    expect(replay.status).toBe(200);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
    const other = await capture(merchant, placed.body.data.id, 900, "cap-1");
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
    const release = await call("POST", `/api/v1/embedded/holds/${placed.body.data.id}/release`, {
      token: merchant.secret_key,
      headers: { "Idempotency-Key": "cap-1" },
    });
    expect(release.status).toBe(422);
    expect(release.body.error.code).toBe("idempotency_key_reused");
    await expectBalanced(merchant);
  });

  it("a hold placed with a reused key: same body replays the one hold, another body is refused", async () => {
    const { merchant, user_id } = await fundedUser(5_000);
    const first = await hold(merchant, user_id, 1_000, "hold-1");
    const again = await hold(merchant, user_id, 1_000, "hold-1");
    expect(again.body).toEqual(first.body);
    const other = await hold(merchant, user_id, 2_000, "hold-1");
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 4_000, held: 1_000 });
  });
});

describe("secrets in idempotency records", () => {
  it("a new key's response is stored sealed, and replayed only to someone still allowed to create it", async () => {
    const owner = await newMerchant();
    const developer = await registerAndLogin();
    await call("POST", `/api/v1/merchants/${owner.merchant_id}/members`, {
      token: owner.token,
      body: { email: developer.email, role: "admin" },
    });
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const path = `/api/v1/merchants/${owner.merchant_id}/api-keys`;
    const created = await call("POST", path, { token: developer.token, headers, body: { type: "secret", mode: "live" } });
    expect(created.status).toBe(201);
    const secret: string = created.body.data.secret;
    expect(await countRows("SELECT count(*) AS n FROM idempotency_keys WHERE response_body LIKE ?", `%${secret}%`)).toBe(0);
    expect(
      await countRows("SELECT count(*) AS n FROM idempotency_keys WHERE key = ? AND response_body LIKE 'v1.%'", headers["Idempotency-Key"]),
    ).toBe(1);

    const replay = await call("POST", path, { token: developer.token, headers, body: { type: "secret", mode: "live" } });
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.body.data.secret).toBe(secret);

    // Demoted: may no longer create live keys, so the replay is refused too.
    await call("POST", `/api/v1/merchants/${owner.merchant_id}/members`, {
      token: owner.token,
      body: { email: developer.email, role: "developer" },
    });
    const demoted = await call("POST", path, { token: developer.token, headers, body: { type: "secret", mode: "live" } });
    expect(demoted.status).toBe(403);
    expect(JSON.stringify(demoted.body)).not.toContain(secret);

    // Removed: the merchant is a 404 to them, replay or not.
    await call("DELETE", `/api/v1/merchants/${owner.merchant_id}/members/${developer.account_id}`, { token: owner.token });
    const removed = await call("POST", path, { token: developer.token, headers, body: { type: "secret", mode: "live" } });
    expect(removed.status).toBe(404);
    expect(JSON.stringify(removed.body)).not.toContain(secret);
  });

  it("a new merchant's keys are stored sealed too", async () => {
    const account = await registerAndLogin();
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const created = await call("POST", "/api/v1/merchants", { token: account.token, headers, body: { name: "Sealed Shop" } });
    expect(
      await countRows("SELECT count(*) AS n FROM idempotency_keys WHERE response_body LIKE ?", `%${created.body.data.secret_key}%`),
    ).toBe(0);
    const replay = await call("POST", "/api/v1/merchants", { token: account.token, headers, body: { name: "Sealed Shop" } });
    expect(replay.body.data.secret_key).toBe(created.body.data.secret_key);
  });
});

describe("the balance ceiling", () => {
  const settlementWallet = async (m: TestMerchant) =>
    (await call("GET", "/api/v1/balance", { token: m.secret_key })).body.data.wallet_id as string;

  it("refuses money entering past the merchant's bound with 422, never a 500, and the sums stay exact", async () => {
    const { merchant, user_id } = await fundedUser(0);
    const other = (await syncUser(merchant.secret_key)).body.data.mazad_user_id;
    const bound = CURRENCIES.IQD.max_issued_minor;
    const largest = CURRENCIES.IQD.max_amount_minor;
    // Reach the bound as a long history would (a thousand top-ups of the largest amount), then one more.
    await runInDurableObject(walletObject(env, await settlementWallet(merchant)), (_i, state) => {
      state.storage.sql.exec("INSERT INTO issuance (currency, issued) VALUES ('IQD', ?)", bound - 2 * largest);
    });
    await topUp(merchant.secret_key, user_id, largest);
    await topUp(merchant.secret_key, other, largest);
    const over = await call("POST", `/api/v1/embedded/users/${user_id}/wallet/top-ups`, {
      token: merchant.secret_key,
      body: { amount: 1, currency: "IQD" },
    });
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: "balance_limit_exceeded", param: "amount" });
    expect(over.body.error.message).toContain(String(bound));
    // Money already inside moves freely: a credit can always apply.
    const moved = await call("POST", "/api/v1/embedded/transfers", {
      token: merchant.secret_key,
      body: { from_user_id: other, to_user_id: user_id, amount: largest, currency: "IQD" },
    });
    expect(moved.status).toBe(201);
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 2 * largest });
    // The other currency has its own bound.
    await topUp(merchant.secret_key, user_id, 5_000, "USD");
    const audit = await expectBalanced(merchant);
    expect(audit.external_credits).toBe(2 * largest);
  });

  it("a top-up retried with its key counts once against the bound", async () => {
    const { merchant, user_id } = await fundedUser(0);
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const path = `/api/v1/embedded/users/${user_id}/wallet/top-ups`;
    for (let i = 0; i < 3; i++) await call("POST", path, { token: merchant.secret_key, headers, body: { amount: 700, currency: "IQD" } });
    const issued = await runInDurableObject(
      walletObject(env, await settlementWallet(merchant)),
      (_i, state) => state.storage.sql.exec<{ issued: number }>("SELECT issued FROM issuance WHERE currency = 'IQD'").one().issued,
    );
    expect(issued).toBe(700);
    // The same key for a top-up of another user is another request.
    const otherUser = (await syncUser(merchant.secret_key)).body.data.mazad_user_id;
    const reused = await call("POST", `/api/v1/embedded/users/${otherUser}/wallet/top-ups`, {
      token: merchant.secret_key,
      headers,
      body: { amount: 700, currency: "IQD" },
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe("idempotency_key_reused");
    expect(await balanceOf(merchant.secret_key, otherUser)).toMatchObject({ total: 0 });
  });

  it("a live key cannot top up, so live money only enters through captures", async () => {
    const merchant = await newMerchant();
    const live = await createKey(merchant, "secret", "live");
    const user = await syncUser(live.secret);
    const res = await call("POST", `/api/v1/embedded/users/${user.body.data.mazad_user_id}/wallet/top-ups`, {
      token: live.secret,
      body: { amount: 1, currency: "IQD" },
    });
    expect(res.status).toBe(403);
  });
});
