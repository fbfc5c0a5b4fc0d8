import { describe, expect, it } from "vitest";
import { DEFAULT_KYC_LIMITS } from "../../src/domain/kyc";
import type { GetMerchantResponse, UpdateMerchantRequest } from "../../src/routes/merchants";
import { balanceOf, call, newMerchant, settle, syncUser, type Answer, type Ok, type TestMerchant } from "./helpers";

/**
 * Limits per KYC level: the user's level is synced by the merchant and kept by its wallet, which
 * checks the merchant's limits in the transaction of each top-up and payout, by Baghdad day of the
 * merchant's clock. Each limit is tried at its edge, on both sides, and across a day boundary.
 */
const DAY_MS = 86_400_000;
const BAGHDAD_MS = 3 * 3_600_000;
const BANK = { type: "bank_account", iban: "IQ98NBIQ850123456789012", account_holder_name: "Zainab Kareem" } as const;

async function user(m: TestMerchant, kyc_level?: "none" | "basic" | "full", external_id = `usr_${crypto.randomUUID()}`) {
  const synced = await syncUser(m.secret_key, external_id, kyc_level ? { kyc_level } : {});
  expect(synced.status).toBeLessThan(300);
  return { id: synced.body.data.mazad_user_id, external_id, wallet_id: synced.body.data.wallet_id, synced };
}

const topUp = (m: TestMerchant, user_id: string, amount: number) =>
  call("POST", `/api/v1/embedded/users/${user_id}/wallet/top-ups`, { token: m.secret_key, body: { amount, currency: "IQD" } });

const payOut = (m: TestMerchant, user_id: string, amount: number) =>
  call("POST", `/api/v1/embedded/users/${user_id}/payouts`, { token: m.secret_key, body: { amount, currency: "IQD", destination: BANK } });

function expectLimit(res: { status: number; body: any }, words: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body.error).toMatchObject({ code: "limit_exceeded", param: "amount" });
  expect(res.body.error.message).toContain(words);
}

/** Moves the sandbox clock to just past the next midnight in Baghdad. */
async function nextBaghdadDay(m: TestMerchant) {
  const now = Date.parse((await call("GET", "/api/v1/sandbox/clock", { token: m.secret_key })).body.data.now);
  const midnight = Math.floor((now + BAGHDAD_MS) / DAY_MS) * DAY_MS + DAY_MS - BAGHDAD_MS;
  const advance_seconds = Math.ceil((midnight - now) / 1000) + 1;
  expect((await call("POST", "/api/v1/sandbox/clock", { token: m.secret_key, body: { advance_seconds } })).status).toBe(200);
}

async function setLimits(m: TestMerchant, kyc_limits: UpdateMerchantRequest["kyc_limits"]) {
  const res = await call<Answer<GetMerchantResponse>, UpdateMerchantRequest>("PATCH", `/api/v1/merchants/${m.merchant_id}`, {
    token: m.token,
    body: { kyc_limits },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.kyc_limits;
}

describe("the KYC level", () => {
  it("is none until synced, is shown on the user, and changes with a sync", async () => {
    const m = await newMerchant();
    const created = await user(m);
    expect(created.synced.body.data.kyc_level).toBe("none");
    const upgraded = await user(m, "basic", created.external_id);
    expect(upgraded.synced.status).toBe(200);
    expect(upgraded.synced.body.data.kyc_level).toBe("basic");
    const read = await call("GET", `/api/v1/embedded/users/${created.id}`, { token: m.secret_key });
    expect(read.body.data.kyc_level).toBe("basic");
    const bad = await syncUser(m.secret_key, created.external_id, { kyc_level: "gold" });
    expect(bad.status).toBe(422);
    expect((bad.body as any).error).toMatchObject({ code: "parameter_invalid", param: "kyc_level" });
  });

  it("the merchant reads the limits in force: the platform's defaults until it sets its own", async () => {
    const m = await newMerchant();
    const read = await call<Ok<GetMerchantResponse>>("GET", `/api/v1/merchants/${m.merchant_id}`, { token: m.token });
    expect(read.body.data.kyc_limits).toEqual(DEFAULT_KYC_LIMITS);
    const set = await setLimits(m, { none: { IQD: { max_balance: 100_000 } } });
    expect(set.none.IQD).toEqual({ ...DEFAULT_KYC_LIMITS.none.IQD, max_balance: 100_000 });
    expect(set.basic).toEqual(DEFAULT_KYC_LIMITS.basic);
    // A new setting replaces the old one whole: what it leaves out is the default again.
    const replaced = await setLimits(m, { basic: { USD: { max_payout_per_day: 1 } } });
    expect(replaced.none.IQD).toEqual(DEFAULT_KYC_LIMITS.none.IQD);
    const bad = await call("PATCH", `/api/v1/merchants/${m.merchant_id}`, {
      token: m.token,
      body: { kyc_limits: { none: { IQD: { max_balance: -1 } } } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.param).toBe("kyc_limits.none.IQD.max_balance");
  });
});

describe("payout limits", () => {
  it("an unverified user cannot pay out; nothing is held", async () => {
    const m = await newMerchant();
    const u = await user(m);
    await topUp(m, u.id, 10_000);
    expectLimit(await payOut(m, u.id, 1), "allows no payouts");
    expect(await balanceOf(m.secret_key, u.id)).toMatchObject({ available: 10_000, held: 0 });
    expect((await call("GET", "/api/v1/payouts", { token: m.secret_key })).body.data.payouts).toEqual([]);
  });

  it("basic: up to the day's limit exactly, not one dinar more, and again the next Baghdad day", async () => {
    const m = await newMerchant();
    const u = await user(m, "basic");
    await topUp(m, u.id, 20_000_000);
    const daily = DEFAULT_KYC_LIMITS.basic.IQD.max_payout_per_day!;
    expect((await payOut(m, u.id, daily - 1_000_000)).status).toBe(201);
    expectLimit(await payOut(m, u.id, 1_000_001), "1000000 IQD remains today");
    expect((await payOut(m, u.id, 1_000_000)).status).toBe(201);
    expectLimit(await payOut(m, u.id, 1), "0 IQD remains today");
    await nextBaghdadDay(m);
    expect((await payOut(m, u.id, daily)).status).toBe(201);
    expect(await balanceOf(m.secret_key, u.id)).toMatchObject({ held: 2 * daily });
  });

  it("a canceled payout gives its amount back to the day's limit", async () => {
    const m = await newMerchant();
    const u = await user(m, "basic");
    await topUp(m, u.id, 20_000_000);
    const daily = DEFAULT_KYC_LIMITS.basic.IQD.max_payout_per_day!;
    const first = await payOut(m, u.id, daily);
    expectLimit(await payOut(m, u.id, 1), "0 IQD remains today");
    const canceled = await call("POST", `/api/v1/payouts/${first.body.data.id}/cancel`, { token: m.secret_key });
    expect(canceled.body.data.status).toBe("canceled");
    expect((await payOut(m, u.id, daily)).status).toBe(201);
  });

  it("a sync that raises the level applies to the next payout at once", async () => {
    const m = await newMerchant();
    const u = await user(m);
    await topUp(m, u.id, 10_000_000);
    expectLimit(await payOut(m, u.id, 6_000_000), "allows no payouts");
    await user(m, "basic", u.external_id);
    expectLimit(await payOut(m, u.id, 6_000_000), "max_payout_per_day for KYC level basic is 5000000 IQD");
    await user(m, "full", u.external_id);
    expect((await payOut(m, u.id, 6_000_000)).status).toBe(201);
  });
});

describe("top-up and balance limits the merchant sets", () => {
  it("a day's top-ups to the edge, the balance to the edge, and money by transfer still lands", async () => {
    const m = await newMerchant();
    await setLimits(m, { none: { IQD: { max_balance: 100_000, max_top_up_per_day: 60_000 } } });
    const u = await user(m);
    expect((await topUp(m, u.id, 60_000)).status).toBe(201);
    expectLimit(await topUp(m, u.id, 1), "max_top_up_per_day for KYC level none is 60000 IQD; 0 IQD remains today");
    await nextBaghdadDay(m);
    expectLimit(await topUp(m, u.id, 40_001), "the wallet has room for 40000 IQD");
    expect((await topUp(m, u.id, 40_000)).status).toBe(201);
    expect(await balanceOf(m.secret_key, u.id)).toMatchObject({ available: 100_000 });

    // Money arriving otherwise is never refused: a transfer lands past the balance limit.
    const sender = await user(m, "none");
    await topUp(m, sender.id, 5_000);
    const transfer = await call("POST", "/api/v1/embedded/transfers", {
      token: m.secret_key,
      body: { from_user_id: sender.id, to_user_id: u.id, amount: 5_000, currency: "IQD" },
    });
    expect(transfer.status).toBe(201);
    await settle(sender.wallet_id, u.wallet_id);
    expect(await balanceOf(m.secret_key, u.id)).toMatchObject({ available: 105_000 });
    expectLimit(await topUp(m, u.id, 1), "the wallet has room for 0 IQD");
  });
});
