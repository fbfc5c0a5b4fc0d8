import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ibanOf } from "../../src/domain/iban";
import { objectKeyOf } from "../../src/domain/ids";
import { TEST_IBANS, TEST_PHONES } from "../../src/domain/sandbox-rail";
import type { PayoutDO } from "../../src/payouts/payout-do";
import type { CreatePayoutRequest, PayoutResponse } from "../../src/routes/payouts";
import {
  balanceOf,
  call,
  createKey,
  newIntent,
  newMerchant,
  payWithCard,
  settle,
  syncUser,
  topUp,
  type Answer,
  type ApiResponse,
  waitFor,
  type TestMerchant,
} from "./helpers";

/**
 * Payouts from a user's wallet and from a merchant's settlement balance, played out on the sandbox
 * rail by moving the sandbox clock: every transition and documented error with its code, the money
 * on the wallet at each step, one event per transition, and the audit balanced at the end.
 */
const PAID_IBAN = ibanOf("IQ", "NBIQ850123456789012");
const phoneThat = (kind: string) => Object.entries(TEST_PHONES).find(([, b]) => b.kind === kind)![0];
const FAILS_AT_ONCE = phoneThat("fails_at_once");
const FAILS_IN_TRANSIT = phoneThat("fails_in_transit");
const RETURNED = phoneThat("returned");

type Payout = PayoutResponse;

function bank(iban = PAID_IBAN): CreatePayoutRequest["destination"] {
  return { type: "bank_account", iban, account_holder_name: "Zainab Kareem" };
}

function mobile(number: string): CreatePayoutRequest["destination"] {
  return { type: "mobile_wallet", provider: "zaincash", phone: number };
}

async function payOut(
  m: TestMerchant,
  user_id: string | null,
  body: Partial<CreatePayoutRequest>,
  key: string = crypto.randomUUID(),
): Promise<ApiResponse<Answer<Payout>>> {
  const path = user_id === null ? "/api/v1/payouts" : `/api/v1/embedded/users/${user_id}/payouts`;
  const full = { amount: 10_000, currency: "IQD", destination: bank(), ...body };
  return call("POST", path, { token: m.secret_key, headers: { "Idempotency-Key": key }, body: full });
}

async function created(m: TestMerchant, user_id: string | null, body: Partial<CreatePayoutRequest>): Promise<Payout> {
  const res = await payOut(m, user_id, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

async function read(m: TestMerchant, id: string): Promise<Payout> {
  const res = await call<Answer<Payout>>("GET", `/api/v1/payouts/${id}`, { token: m.secret_key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

/** Moves the merchant's sandbox clock to just past `iso` (what the rail does by then happens, with its events). */
async function clockTo(m: TestMerchant, iso: string) {
  const now = Date.parse((await call("GET", "/api/v1/sandbox/clock", { token: m.secret_key })).body.data.now);
  const advance_seconds = Math.max(1, Math.ceil((Date.parse(iso) - now) / 1000) + 1);
  const moved = await call("POST", "/api/v1/sandbox/clock", { token: m.secret_key, body: { advance_seconds } });
  expect(moved.status).toBe(200);
}

function payoutObject(id: string) {
  return env.PAYOUT.get(env.PAYOUT.idFromName(objectKeyOf(id, "payout")!)) as DurableObjectStub<PayoutDO>;
}

/** The events the payout recorded, by type: one per transition, never two. */
async function eventTypes(id: string): Promise<string[]> {
  return runInDurableObject(payoutObject(id), (_i, state) =>
    state.storage.sql
      .exec<{ type: string }>("SELECT type FROM events ORDER BY seq")
      .toArray()
      .map((e) => e.type),
  );
}

/** A merchant with one synced user, verified (`full`: no platform payout limit), holding `amount` IQD. */
async function seller(amount: number) {
  const merchant = await newMerchant();
  const user = await syncUser(merchant.secret_key, undefined, { kyc_level: "full" });
  const user_id = user.body.data.mazad_user_id;
  await topUp(merchant.secret_key, user_id, amount);
  return { merchant, user_id, wallet_id: user.body.data.wallet_id };
}

async function expectBalanced(m: TestMerchant, ...wallets: string[]) {
  const settlement = (await call("GET", "/api/v1/balance", { token: m.secret_key })).body.data.wallet_id;
  await settle(...wallets, settlement);
  const audit = await call("GET", "/api/v1/ledger/audit?currency=IQD", { token: m.secret_key });
  expect(audit.body.data).toMatchObject({ balanced: true, outbox_pending: 0, holds_consistent: true });
  return audit.body.data as { external_debits: number; external_credits: number };
}

describe("a payout from a user's wallet", () => {
  it("holds the amount, goes in transit, is paid a business day later: the money leaves once, one event per step", async () => {
    const { merchant, user_id, wallet_id } = await seller(50_000);
    const payout = await created(merchant, user_id, { amount: 20_000, description: "Auction #77 proceeds", metadata: { lot: "77" } });
    expect(payout).toMatchObject({
      object: "payout",
      status: "pending",
      amount: 20_000,
      currency: "IQD",
      user_id,
      destination: { type: "bank_account", account_holder_name: "Zainab Kareem", country: "IQ", last4: PAID_IBAN.slice(-4) },
      description: "Auction #77 proceeds",
      metadata: { lot: "77" },
      failure_code: null,
    });
    expect(payout.id).toMatch(/^po_test_[0-9A-Za-z]{16}$/);
    expect(JSON.stringify(payout)).not.toContain(PAID_IBAN.slice(4, 19));
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 30_000, held: 20_000 });

    await clockTo(merchant, new Date(Date.parse(payout.created_at) + 11 * 60_000).toISOString());
    expect((await read(merchant, payout.id)).status).toBe("in_transit");
    await clockTo(merchant, payout.arrival_date!);
    const paid = await read(merchant, payout.id);
    expect(paid).toMatchObject({ status: "paid", failure_code: null });
    expect(paid.paid_at).not.toBeNull();
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 30_000, held: 0, total: 30_000 });
    expect(await eventTypes(payout.id)).toEqual(["payout.created", "payout.in_transit", "payout.paid"]);
    const audit = await expectBalanced(merchant, wallet_id);
    expect(audit.external_debits).toBe(20_000);

    // Nothing more happens to a paid payout, however far the clock moves.
    await clockTo(merchant, new Date(Date.parse(paid.paid_at!) + 30 * 86_400_000).toISOString());
    expect((await read(merchant, payout.id)).status).toBe("paid");
    expect(await eventTypes(payout.id)).toEqual(["payout.created", "payout.in_transit", "payout.paid"]);
  });

  it("one clock move past every step plays them all, in order, each with its event", async () => {
    const { merchant, user_id } = await seller(50_000);
    const payout = await created(merchant, user_id, { destination: mobile(RETURNED) });
    await clockTo(merchant, new Date(Date.parse(payout.arrival_date!) + 4 * 86_400_000).toISOString());
    const returned = await read(merchant, payout.id);
    expect(returned).toMatchObject({ status: "returned", failure_code: "account_closed" });
    expect(await eventTypes(payout.id)).toEqual(["payout.created", "payout.in_transit", "payout.paid", "payout.returned"]);
  });

  it.each(Object.entries(TEST_PHONES).filter(([, b]) => b.kind === "fails_at_once"))(
    "fails at once for %s with its code, and the hold is released",
    async (number, behaviour) => {
      const { merchant, user_id, wallet_id } = await seller(50_000);
      const payout = await created(merchant, user_id, { destination: mobile(number) });
      expect(payout.status).toBe("pending");
      // The rail's rejection follows the creation within a moment, as a real rail's would.
      const failed = await waitFor(
        "the rail's rejection",
        () => read(merchant, payout.id),
        (p) => p.status === "failed",
      );
      expect(failed).toMatchObject({ status: "failed", failure_code: (behaviour as { code: string }).code });
      expect(failed.failure_message).toEqual(expect.any(String));
      expect(failed.failed_at).not.toBeNull();
      expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 50_000, held: 0 });
      expect(await eventTypes(payout.id)).toEqual(["payout.created", "payout.failed"]);
      await expectBalanced(merchant, wallet_id);
    },
  );

  it("the test IBANs behave as the test phones do", async () => {
    const { merchant, user_id } = await seller(50_000);
    const [iban] = Object.entries(TEST_IBANS).find(([, b]) => b.kind === "fails_at_once")!;
    const payout = await created(merchant, user_id, { destination: bank(iban.replace(/(.{4})/g, "$1 ").toLowerCase()) });
    const failed = await waitFor(
      "the rail's rejection",
      () => read(merchant, payout.id),
      (p) => p.status === "failed",
    );
    expect(failed).toMatchObject({ status: "failed", failure_code: "account_closed" });
  });

  it("fails after going in transit: the money comes back when it fails, not before", async () => {
    const { merchant, user_id, wallet_id } = await seller(50_000);
    const payout = await created(merchant, user_id, { destination: mobile(FAILS_IN_TRANSIT) });
    await clockTo(merchant, new Date(Date.parse(payout.created_at) + 11 * 60_000).toISOString());
    expect((await read(merchant, payout.id)).status).toBe("in_transit");
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 40_000, held: 10_000 });
    await clockTo(merchant, payout.arrival_date!);
    expect(await read(merchant, payout.id)).toMatchObject({ status: "failed", failure_code: "account_closed" });
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 50_000, held: 0 });
    expect(await eventTypes(payout.id)).toEqual(["payout.created", "payout.in_transit", "payout.failed"]);
    await expectBalanced(merchant, wallet_id);
  });

  it("a returned payout is credited back once, three days after it was paid", async () => {
    const { merchant, user_id, wallet_id } = await seller(50_000);
    const payout = await created(merchant, user_id, { destination: mobile(RETURNED) });
    await clockTo(merchant, payout.arrival_date!);
    const paid = await read(merchant, payout.id);
    expect(paid.status).toBe("paid");
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 40_000, held: 0 });
    await clockTo(merchant, new Date(Date.parse(paid.paid_at!) + 3 * 86_400_000).toISOString());
    for (let read_again = 0; read_again < 3; read_again++) {
      expect(await read(merchant, payout.id)).toMatchObject({ status: "returned", failure_code: "account_closed" });
    }
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 50_000, held: 0 });
    expect(await eventTypes(payout.id)).toEqual(["payout.created", "payout.in_transit", "payout.paid", "payout.returned"]);
    const audit = await expectBalanced(merchant, wallet_id);
    expect(audit.external_debits).toBe(10_000);
  });
});

describe("canceling a payout", () => {
  it("a pending payout is canceled and its hold released; a repeat replays, a second key is refused", async () => {
    const { merchant, user_id, wallet_id } = await seller(50_000);
    const payout = await created(merchant, user_id, {});
    const key = { "Idempotency-Key": crypto.randomUUID() };
    const cancel = (headers: Record<string, string>) =>
      call<Answer<Payout>>("POST", `/api/v1/payouts/${payout.id}/cancel`, { token: merchant.secret_key, headers });
    const canceled = await cancel(key);
    expect(canceled.status).toBe(200);
    expect(canceled.body.data).toMatchObject({ status: "canceled" });
    expect(canceled.body.data.canceled_at).not.toBeNull();
    const again = await cancel(key);
    expect(again.status).toBe(200);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    const other = await cancel({ "Idempotency-Key": crypto.randomUUID() });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("payout_not_cancelable");
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 50_000, held: 0 });
    expect(await eventTypes(payout.id)).toEqual(["payout.created", "payout.canceled"]);
    // The rail never picks up a canceled payout.
    await clockTo(merchant, payout.arrival_date!);
    expect((await read(merchant, payout.id)).status).toBe("canceled");
    await expectBalanced(merchant, wallet_id);
  });

  it("once the rail has picked it up, a payout cannot be canceled", async () => {
    const { merchant, user_id } = await seller(50_000);
    const payout = await created(merchant, user_id, {});
    await clockTo(merchant, new Date(Date.parse(payout.created_at) + 11 * 60_000).toISOString());
    const res = await call("POST", `/api/v1/payouts/${payout.id}/cancel`, { token: merchant.secret_key });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "payout_not_cancelable" });
    expect(res.body.error.message).toContain("in_transit");
  });
});

describe("refusals", () => {
  it("more than the available balance is 422 insufficient_funds on amount, and no payout exists", async () => {
    const { merchant, user_id } = await seller(5_000);
    const key = crypto.randomUUID();
    const res = await payOut(merchant, user_id, { amount: 5_001 }, key);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "insufficient_funds", param: "amount" });
    expect((await call("GET", "/api/v1/payouts", { token: merchant.secret_key })).body.data.payouts).toEqual([]);
    // The key keeps its answer even once the money is there: an id means one thing.
    await topUp(merchant.secret_key, user_id, 10_000);
    const retried = await payOut(merchant, user_id, { amount: 5_001 }, key);
    expect(retried.status).toBe(422);
    expect(retried.headers.get("Idempotent-Replayed")).toBe("true");
    expect((await payOut(merchant, user_id, { amount: 5_001 })).status).toBe(201);
  });

  it("the same key replays the payout; with another body it is 422 idempotency_key_reused", async () => {
    const { merchant, user_id } = await seller(50_000);
    const key = crypto.randomUUID();
    const first = await payOut(merchant, user_id, {}, key);
    const again = await payOut(merchant, user_id, {}, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.body.data.id).toBe(first.body.data.id);
    const other = await payOut(merchant, user_id, { amount: 10_001 }, key);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 40_000, held: 10_000 });
  });

  it.each([
    ["a mistyped IBAN", { destination: bank(PAID_IBAN.slice(0, -1) + "3") }, "destination.iban"],
    ["an Iraqi IBAN of the wrong length", { destination: bank(ibanOf("IQ", "NBIQ85012345678901")) }, "destination.iban"],
    ["a phone that is not an Iraqi mobile", { destination: mobile("+14155550100") }, "destination.phone"],
    ["an unknown provider", { destination: { ...mobile("+9647701234567"), provider: "paypal" } }, "destination.provider"],
    ["a zero amount", { amount: 0 }, "amount"],
  ])("%s is a 4xx naming the field", async (_label, body, param) => {
    const { merchant, user_id } = await seller(50_000);
    const res = await payOut(merchant, user_id, body as Partial<CreatePayoutRequest>);
    expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error.param).toBe(param);
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 50_000, held: 0 });
  });

  it("live mode has no rail yet: 422 payout_rail_unavailable, nothing held", async () => {
    const merchant = await newMerchant();
    const live = await createKey(merchant, "secret", "live");
    const user = await syncUser(live.secret!);
    const res = await payOut({ ...merchant, secret_key: live.secret! }, user.body.data.mazad_user_id, {});
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("payout_rail_unavailable");
  });

  it("another merchant's payout is a 404, to read and to cancel", async () => {
    const { merchant, user_id } = await seller(50_000);
    const payout = await created(merchant, user_id, {});
    const stranger = await newMerchant();
    for (const [method, path] of [
      ["GET", `/api/v1/payouts/${payout.id}`],
      ["POST", `/api/v1/payouts/${payout.id}/cancel`],
    ] as const) {
      const res = await call(method, path, { token: stranger.secret_key });
      expect(res.status, path).toBe(404);
      expect(res.body.error).toMatchObject({ code: "resource_missing", param: "id" });
    }
    expect((await read(merchant, payout.id)).status).toBe("pending");
  });
});

describe("payouts racing for one balance", () => {
  it("two payouts for the same money: one wins, the other is insufficient_funds", async () => {
    const { merchant, user_id, wallet_id } = await seller(10_000);
    const answers = await Promise.all([payOut(merchant, user_id, { amount: 7_000 }), payOut(merchant, user_id, { amount: 7_000 })]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 3_000, held: 7_000 });
    await expectBalanced(merchant, wallet_id);
  });

  it("a payout racing a hold and a transfer: exactly one takes the money", async () => {
    const { merchant, user_id, wallet_id } = await seller(10_000);
    const other = await syncUser(merchant.secret_key);
    const token = merchant.secret_key;
    const answers = await Promise.all([
      payOut(merchant, user_id, { amount: 8_000 }),
      call("POST", "/api/v1/embedded/holds", { token, body: { user_id, amount: 8_000, currency: "IQD" } }),
      call("POST", "/api/v1/embedded/transfers", {
        token,
        body: { from_user_id: user_id, to_user_id: other.body.data.mazad_user_id, amount: 8_000, currency: "IQD" },
      }),
    ]);
    expect(answers.filter((a) => a.status < 300)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 422).map((a) => a.body.error.code)).toEqual(["insufficient_funds", "insufficient_funds"]);
    expect((await balanceOf(merchant.secret_key, user_id)).available).toBe(2_000);
    await expectBalanced(merchant, wallet_id, other.body.data.wallet_id);
  });
});

describe("listing payouts", () => {
  it("newest first, filtered by status and user, paged", async () => {
    const { merchant, user_id } = await seller(100_000);
    const second = await syncUser(merchant.secret_key, undefined, { kyc_level: "full" });
    await topUp(merchant.secret_key, second.body.data.mazad_user_id, 50_000);
    const a = await created(merchant, user_id, { amount: 1_000 });
    const b = await created(merchant, user_id, { amount: 2_000, destination: mobile(FAILS_AT_ONCE) });
    const c = await created(merchant, second.body.data.mazad_user_id, { amount: 3_000 });
    const list = (query: string) => call("GET", `/api/v1/payouts${query}`, { token: merchant.secret_key });
    const all = await waitFor(
      "three payouts indexed",
      () => list(""),
      (r) => r.body.data.pagination.total === 3,
    );
    expect(all.body.data.payouts.map((p: Payout) => p.id)).toEqual([c.id, b.id, a.id]);
    await waitFor(
      "the rail's rejection",
      () => read(merchant, b.id),
      (p) => p.status === "failed",
    );
    const failed = await waitFor(
      "the failure indexed",
      () => list("?status=failed"),
      (r) => r.body.data.pagination.total === 1,
    );
    expect(failed.body.data.payouts[0]).toMatchObject({ id: b.id, status: "failed" });
    const mine = await list(`?user_id=${user_id}&per_page=1&page=2`);
    expect(mine.body.data.pagination).toEqual({ page: 2, per_page: 1, total: 2, total_pages: 2 });
    expect(mine.body.data.payouts.map((p: Payout) => p.id)).toEqual([a.id]);
    expect((await list("?user_id=nobody")).status).toBe(404);
  });
});

describe("a payout of the merchant's settlement balance", () => {
  it("holds on the settlement wallet, is paid, and names no user", async () => {
    const { merchant, user_id, wallet_id } = await seller(100_000);
    const held = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 50_000, currency: "IQD" },
    });
    await call("POST", `/api/v1/embedded/holds/${held.body.data.id}/capture`, { token: merchant.secret_key, body: {} });
    const settlement = (await call("GET", "/api/v1/balance", { token: merchant.secret_key })).body.data.wallet_id;
    await settle(wallet_id, settlement);
    const before = (await call("GET", "/api/v1/balance", { token: merchant.secret_key })).body.data.balances.find(
      (b: { currency: string }) => b.currency === "IQD",
    );
    const payout = await created(merchant, null, { amount: 20_000 });
    expect(payout).toMatchObject({ user_id: null, status: "pending" });
    const tooMuch = await payOut(merchant, null, { amount: before.available });
    expect(tooMuch.body.error?.code).toBe("insufficient_funds");
    await clockTo(merchant, payout.arrival_date!);
    expect((await read(merchant, payout.id)).status).toBe("paid");
    const after = (await call("GET", "/api/v1/balance", { token: merchant.secret_key })).body.data.balances.find(
      (b: { currency: string }) => b.currency === "IQD",
    );
    expect(after.total).toBe(before.total - 20_000);
    await expectBalanced(merchant, wallet_id);
  });
});

describe("a payout object that dies between its wallet's answer and recording it", () => {
  it("the alarm records the hold once; the request's key then replays the payout", async () => {
    const { merchant, user_id, wallet_id } = await seller(50_000);
    const key = crypto.randomUUID();
    // The object is named by the key: make it die before the first request reaches it.
    const { newObjectKey } = await import("../../src/services/object-keys");
    const object_key = await newObjectKey("payout", `merchant:${merchant.merchant_id}:sandbox`, key);
    const stub = env.PAYOUT.get(env.PAYOUT.idFromName(object_key)) as DurableObjectStub<PayoutDO>;
    await runInDurableObject(stub, (instance: PayoutDO) => {
      (instance as unknown as { complete: () => never }).complete = () => {
        throw new Error("simulated crash before the result is recorded");
      };
    });
    const first = await payOut(merchant, user_id, {}, key);
    expect(first.status).toBe(500);
    // The wallet holds the money; the payout does not know yet. A retry meanwhile is told to wait.
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 40_000, held: 10_000 });
    expect((await payOut(merchant, user_id, {}, key)).status).toBe(409);
    await evictDurableObject(stub);
    await runInDurableObject(stub, (_i, state) =>
      state.storage.sql.exec("UPDATE steps SET next_attempt_at_ms = 0 WHERE status = 'pending'"),
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const replayed = await payOut(merchant, user_id, {}, key);
    expect(replayed.status).toBe(201);
    expect(replayed.body.data.status).toBe("pending");
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 40_000, held: 10_000 });
    expect(await eventTypes(replayed.body.data.id)).toEqual(["payout.created"]);
    await expectBalanced(merchant, wallet_id);
  });
});

describe("payout fees", () => {
  async function withFee(payout_fee_bps: number) {
    const s = await seller(50_000);
    const res = await call("PATCH", `/api/v1/merchants/${s.merchant.merchant_id}`, { token: s.merchant.token, body: { payout_fee_bps } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.payout_fee_bps).toBe(payout_fee_bps);
    return s;
  }

  it("holds the fee with the amount, and on payment sends the amount out and the fee to the platform", async () => {
    const { merchant, user_id, wallet_id } = await withFee(100);
    const payout = await created(merchant, user_id, { amount: 20_000 });
    expect(payout).toMatchObject({ amount: 20_000, fee_amount: 200, status: "pending" });
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 29_800, held: 20_200 });
    await clockTo(merchant, payout.arrival_date!);
    expect(await read(merchant, payout.id)).toMatchObject({ status: "paid", fee_amount: 200 });
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 29_800, held: 0, total: 29_800 });
    const entries = (await call("GET", `/api/v1/embedded/users/${user_id}/transactions?type=debit`, { token: merchant.secret_key })).body
      .data.transactions;
    const debits = entries.map((e: { amount: number; description: string }) => [e.amount, e.description]);
    expect(debits.sort((a: [number], b: [number]) => b[0] - a[0])).toEqual([
      [20_000, "Payout"],
      [200, "Payout fee"],
    ]);
    const platform = `wal_platform_sandbox_${merchant.merchant_id}`;
    const audit = await expectBalanced(merchant, wallet_id, platform);
    expect(audit).toMatchObject({ external_debits: 20_000, platform_commission: 200 });
  });

  it("takes no fee from a canceled or failed payout, keeps it on a returned one, and none on the merchant's own", async () => {
    const { merchant, user_id, wallet_id } = await withFee(250);
    const canceled = await created(merchant, user_id, { amount: 10_000 });
    expect((await call("POST", `/api/v1/payouts/${canceled.id}/cancel`, { token: merchant.secret_key })).status).toBe(200);
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 50_000, held: 0 });
    const failed = await created(merchant, user_id, { amount: 10_000, destination: mobile(FAILS_AT_ONCE) });
    await waitFor(
      "the rail's rejection",
      () => read(merchant, failed.id),
      (p) => p.status === "failed",
    );
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 50_000, held: 0 });
    const returned = await created(merchant, user_id, { amount: 10_000, destination: mobile(RETURNED) });
    expect(returned.fee_amount).toBe(250);
    await clockTo(merchant, new Date(Date.parse(returned.arrival_date!) + 4 * 86_400_000).toISOString());
    expect(await read(merchant, returned.id)).toMatchObject({ status: "returned" });
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 50_000 - 250, held: 0 });
    const platform = `wal_platform_sandbox_${merchant.merchant_id}`;
    expect(await expectBalanced(merchant, wallet_id, platform)).toMatchObject({ external_debits: 10_000, external_credits: 60_000 });
    // The merchant's own payout has no fee: its settlement balance earned 9,750 from a card sale.
    const sale = await newIntent(merchant.secret_key, 10_000, "IQD");
    await payWithCard(sale);
    await call("POST", `/api/v1/payments/${sale.id.replace("pi_", "pay_test_")}/capture`, { token: merchant.secret_key, body: {} });
    const own = await created(merchant, null, { amount: 9_750 });
    expect(own).toMatchObject({ amount: 9_750, fee_amount: 0 });
  });

  it("refuses a payout whose fee the wallet cannot cover, and a fee setting out of range", async () => {
    const { merchant, user_id } = await withFee(100);
    const short = await payOut(merchant, user_id, { amount: 50_000 });
    expect(short.status).toBe(422);
    expect(short.body).toMatchObject({ error: { code: "insufficient_funds" } });
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 50_000, held: 0 });
    const bad = await call("PATCH", `/api/v1/merchants/${merchant.merchant_id}`, {
      token: merchant.token,
      body: { payout_fee_bps: 1_001 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ error: { code: "parameter_invalid", param: "payout_fee_bps" } });
  });
});
