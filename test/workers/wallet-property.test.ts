import { createHash } from "node:crypto";
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/domain/clock";
import { objectKeyOf } from "../../src/domain/ids";
import { verifyChain, type ChainEntry } from "../../src/domain/ledger";
import { refundToUserWallet } from "../../src/services/wallet-refunds";
import { walletObject } from "../../src/wallet/wallet-do";
import { call, registerAndLogin, STRONG_PASSWORD, syncUser, type TestMerchant } from "./helpers";

/**
 * Random sequences of top-up, hold, release, capture, transfer and refund-to-wallet across several
 * wallets, and of checkout sessions paid from them, card intents, card top-ups (fee borne by
 * either side), payment captures, voids and refunds, payouts (with a payout fee) of users'
 * wallets and of the settlement balance to each of the sandbox rail's outcomes, cancels, and
 * moves of the sandbox clock that play the rail out — each round's operations fired
 * concurrently, many with Idempotency-Keys reused across different requests. The users have each
 * KYC level and the merchant sets tight limits, so limits are met at their edges.
 * After each sequence every wallet must hold: non-negative balances, held = sum of active holds,
 * entries that replay to the balance with seq gap-free and a valid hash chain; every payout's
 * money must have moved exactly as its status says, every card top-up's landed once or not at
 * all; and the merchant's audit must balance.
 *
 * PROPERTY_RUNS (default 200) and PROPERTY_SEED are read from the environment by test/vitest.config.ts;
 * `npm run test:property` runs 10,000. A failure prints the seed and the shrunk sequence to replay it.
 */
const RUNS = Number(env.PROPERTY_RUNS);
const SEED = env.PROPERTY_SEED ? Number(env.PROPERTY_SEED) : Math.floor(Math.random() * 2 ** 31);
const USERS = 3;
const CURRENCIES = ["IQD", "USD"] as const;
const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * `key` is an Idempotency-Key from a pool of three per world, so keys are reused — by retries of the
 * same request and by different requests, on the same wallet and on others — and the property
 * "an id means one thing" is checked after each sequence (checkKeys).
 */
type Keyed = { key: number | null };
type Op =
  | ({ kind: "top_up"; user: number; currency: "IQD" | "USD"; amount: number } & Keyed)
  | ({ kind: "hold"; user: number; currency: "IQD" | "USD"; amount: number } & Keyed)
  | ({ kind: "release"; hold: number } & Keyed)
  | ({ kind: "capture"; hold: number; fraction: number | null } & Keyed)
  | ({ kind: "transfer"; from: number; to: number; currency: "IQD" | "USD"; amount: number } & Keyed)
  | { kind: "refund"; user: number; currency: "IQD" | "USD"; amount: number }
  | { kind: "session"; user: number; currency: "IQD" | "USD"; amount: number; otp_right: boolean }
  | { kind: "intent"; currency: "IQD" | "USD"; amount: number; card: string }
  | { kind: "card_top_up"; user: number; currency: "IQD" | "USD"; amount: number; card: string; fee_bearer: "buyer" | "merchant" }
  | ({ kind: "pay_capture"; payment: number; fraction: number | null } & Keyed)
  | ({ kind: "pay_void"; payment: number } & Keyed)
  | ({ kind: "pay_refund"; payment: number; fraction: number | null } & Keyed)
  | ({ kind: "payout"; user: number | null; currency: "IQD" | "USD"; amount: number; rail: number } & Keyed)
  | ({ kind: "payout_cancel"; payout: number } & Keyed)
  | { kind: "clock"; seconds: number };

/** The users' KYC levels, and the merchant's limits that bite at the amounts the sequences use. */
const LEVELS = ["full", "basic", "none"] as const;
const LIMITS = {
  none: { IQD: { max_balance: 20_000, max_top_up_per_day: 12_000 }, USD: { max_top_up_per_day: 9_000 } },
  basic: { IQD: { max_payout_per_day: 8_000 }, USD: { max_payout_per_day: 6_000 } },
};
/** A paid destination, then the sandbox rail's: fails at once, fails in transit, paid then returned. */
const RAIL_PHONES = ["+9647701234567", "+9647700000001", "+9647700000004", "+9647700000005"];
/** What each user starts with, within the tightest level's top-up limits. */
const FUNDING = [
  ["IQD", 10_000],
  ["USD", 8_000],
] as const;
/** The merchant's fee on its users' payouts: 1.5 %, so most payouts carry one and small ones round to none. */
const PAYOUT_FEE_BPS = 150;
/** Ten minutes (the rail collects), two days (it pays or fails), four days (it returns). */
const CLOCK_MOVES = [11 * 60, 2 * 86_400, 4 * 86_400];

/** Approved, declined (51) and declined (05) cards: most intents authorize, some do not. */
const CARDS = ["4242424242424242", "5555555555554444", "4000000000009995", "4111111111111111"];

const user = fc.integer({ min: 0, max: USERS - 1 });
const currency = fc.constantFrom(...CURRENCIES);
const amount = fc.integer({ min: 1, max: 5_000 });
const key = fc.option(fc.nat(2), { freq: 2 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("top_up" as const), user, currency, amount, key }),
  fc.record({ kind: fc.constant("hold" as const), user, currency, amount, key }),
  fc.record({ kind: fc.constant("release" as const), hold: fc.nat(20), key }),
  fc.record({
    kind: fc.constant("capture" as const),
    hold: fc.nat(20),
    fraction: fc.option(fc.double({ min: 0.01, max: 1, noNaN: true })),
    key,
  }),
  fc.record({ kind: fc.constant("transfer" as const), from: user, to: user, currency, amount, key }),
  fc.record({ kind: fc.constant("refund" as const), user, currency, amount }),
  fc.record({ kind: fc.constant("session" as const), user, currency, amount, otp_right: fc.boolean() }),
  fc.record({ kind: fc.constant("intent" as const), currency, amount, card: fc.constantFrom(...CARDS) }),
  fc.record({
    kind: fc.constant("card_top_up" as const),
    user,
    currency,
    amount,
    card: fc.constantFrom(...CARDS),
    fee_bearer: fc.constantFrom("buyer" as const, "merchant" as const),
  }),
  fc.record({
    kind: fc.constant("pay_capture" as const),
    payment: fc.nat(20),
    fraction: fc.option(fc.double({ min: 0.01, max: 1, noNaN: true })),
    key,
  }),
  fc.record({ kind: fc.constant("pay_void" as const), payment: fc.nat(20), key }),
  // Payouts are weighted up: each needs money already in its wallet, and has four outcomes to meet.
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("payout" as const),
      user: fc.option(user, { freq: 4 }),
      currency,
      amount,
      rail: fc.nat(RAIL_PHONES.length - 1),
      key,
    }),
  },
  fc.record({ kind: fc.constant("payout_cancel" as const), payout: fc.nat(20), key }),
  fc.record({ kind: fc.constant("clock" as const), seconds: fc.constantFrom(...CLOCK_MOVES) }),
  fc.record({
    kind: fc.constant("pay_refund" as const),
    payment: fc.nat(20),
    fraction: fc.option(fc.double({ min: 0.01, max: 1, noNaN: true })),
    key,
  }),
);
/** Rounds of up to four operations that run at the same time. */
const sequence = fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 });

interface World {
  merchant: TestMerchant;
  users: { id: string; external_id: string; wallet_id: string }[];
  settlement_wallet_id: string;
  holds: { id: string; amount: number; user: number }[];
  payments: { id: string; amount: number }[];
  /** Card top-ups whose card was approved: each is captured into its user's wallet, or (refused) voided. */
  top_ups: { payment_id: string; wallet_id: string }[];
  payouts: { id: string; amount: number; wallet_id: string }[];
  /** Every answer to a keyed request, by (key, the object the request acts on: a wallet or a payment). */
  answers: { key: number; object: string; replayed: boolean; status: number; body: string }[];
}

/** The account that owns every world's merchant. A 10,000-run test outlives an access token (an hour): it logs in afresh. */
interface Owner {
  email: string;
  account_id: string;
  token: string;
  logged_in_at_ms: number;
}
const TOKEN_REFRESH_MS = 30 * 60_000;

async function ownerToken(owner: Owner): Promise<string> {
  if (Date.now() - owner.logged_in_at_ms < TOKEN_REFRESH_MS) return owner.token;
  const login = await call("POST", "/api/v1/auth/login", { body: { email: owner.email, password: STRONG_PASSWORD } });
  expect(login.status).toBe(200);
  Object.assign(owner, { token: login.body.data.access_token, logged_in_at_ms: Date.now() });
  return owner.token;
}

async function newWorld(owner: Owner): Promise<World> {
  const token = await ownerToken(owner);
  const created = await call("POST", "/api/v1/merchants", { token, body: { name: "Property Shop" } });
  const { id: merchant_id, secret_key, publishable_key } = created.body.data;
  const merchant: TestMerchant = { token, account_id: owner.account_id, merchant_id, secret_key, publishable_key };
  const limits = await call("PATCH", `/api/v1/merchants/${merchant_id}`, {
    token,
    body: { kyc_limits: LIMITS, payout_fee_bps: PAYOUT_FEE_BPS },
  });
  expect(limits.status).toBe(200);
  const users = await Promise.all(
    Array.from({ length: USERS }, async (_, i) => {
      const synced = await syncUser(merchant.secret_key, undefined, { kyc_level: LEVELS[i % LEVELS.length] });
      return {
        id: synced.body.data.mazad_user_id as string,
        external_id: synced.body.data.external_id as string,
        wallet_id: synced.body.data.wallet_id as string,
      };
    }),
  );
  const settlement = await call("GET", "/api/v1/balance", { token: merchant.secret_key });
  const settlement_wallet_id = settlement.body.data.wallet_id;
  // Every user starts with money to pay out.
  const funding = users.flatMap((u) =>
    FUNDING.map(([currency, amount]) =>
      call("POST", `/api/v1/embedded/users/${u.id}/wallet/top-ups`, { token: merchant.secret_key, body: { amount, currency } }),
    ),
  );
  for (const res of await Promise.all(funding)) expect(res.status).toBe(201);
  return { merchant, users, settlement_wallet_id, holds: [], payments: [], top_ups: [], payouts: [], answers: [] };
}

/** Sends a request, with the op's Idempotency-Key if it has one, and files a keyed answer under the object it acts on. */
async function send(world: World, step: Keyed, object: number | string, path: string, body: object) {
  const headers: Record<string, string> = step.key === null ? {} : { "Idempotency-Key": `k${step.key}` };
  const res = await call("POST", path, { token: world.merchant.secret_key, headers, body });
  expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBeLessThan(500);
  if (step.key !== null) {
    // An error body carries its own request id; what must repeat is the status and the error.
    const comparable = res.status < 300 ? res.body : { code: res.body.error.code, message: res.body.error.message };
    world.answers.push({
      key: step.key,
      object: String(object),
      replayed: res.headers.get("Idempotent-Replayed") === "true",
      status: res.status,
      body: JSON.stringify(comparable),
    });
  }
  return res;
}

/** A checkout is paid (200), unless a clock move in the same round carried it past its expiry. */
function lapsed(paid: { status: number; body: any }): boolean {
  if (paid.status === 200) return false;
  expect(paid.body.error?.code, JSON.stringify(paid.body)).toBe("checkout_not_open");
  return true;
}

async function run(world: World, step: Op): Promise<void> {
  switch (step.kind) {
    case "top_up":
      await send(world, step, step.user, `/api/v1/embedded/users/${world.users[step.user]!.id}/wallet/top-ups`, {
        amount: step.amount,
        currency: step.currency,
      });
      return;
    case "hold": {
      const res = await send(world, step, step.user, "/api/v1/embedded/holds", {
        user_id: world.users[step.user]!.id,
        amount: step.amount,
        currency: step.currency,
      });
      if (res.status === 201 && res.headers.get("Idempotent-Replayed") === null)
        world.holds.push({ id: res.body.data.id, amount: res.body.data.amount, user: step.user });
      else if (res.status !== 201) expect(["insufficient_funds", "idempotency_key_reused"]).toContain(res.body.error.code);
      return;
    }
    case "release": {
      const hold = world.holds[step.hold % Math.max(1, world.holds.length)];
      if (hold) await send(world, step, hold.user, `/api/v1/embedded/holds/${hold.id}/release`, {});
      return;
    }
    case "capture": {
      const hold = world.holds[step.hold % Math.max(1, world.holds.length)];
      if (!hold) return;
      const body = step.fraction === null ? {} : { amount: Math.max(1, Math.floor(hold.amount * step.fraction)) };
      await send(world, step, hold.user, `/api/v1/embedded/holds/${hold.id}/capture`, body);
      return;
    }
    case "transfer":
      if (step.from === step.to) return;
      await send(world, step, step.from, "/api/v1/embedded/transfers", {
        from_user_id: world.users[step.from]!.id,
        to_user_id: world.users[step.to]!.id,
        amount: step.amount,
        currency: step.currency,
      });
      return;
    case "session": {
      const session = await call("POST", "/api/v1/checkout/sessions", {
        token: world.merchant.secret_key,
        body: {
          external_user_id: world.users[step.user]!.external_id,
          amount: step.amount,
          currency: step.currency,
          success_url: "https://s.example/",
          cancel_url: "https://c.example/",
        },
      });
      expect(session.status).toBe(201);
      const paid = await call("POST", `/checkout/${session.body.data.id}/pay`, {
        body: { client_secret: session.body.data.client_secret, method: "wallet", otp: step.otp_right ? "123456" : "000000" },
      });
      if (lapsed(paid)) return;
      if (paid.body.data.status === "authorized")
        world.payments.push({ id: session.body.data.id.replace("cs_test_", "pay_test_"), amount: step.amount });
      return;
    }
    case "intent": {
      const intent = await call("POST", "/api/v1/payment-intents", {
        token: world.merchant.secret_key,
        body: { amount: step.amount, currency: step.currency, success_url: "https://s.example/", cancel_url: "https://c.example/" },
      });
      const paid = await call("POST", `/checkout/${intent.body.data.id}/pay`, {
        body: {
          client_secret: intent.body.data.client_secret,
          method: "card",
          card: { number: step.card, exp_month: 12, exp_year: 2040, cvc: "123", name: "P" },
        },
      });
      if (lapsed(paid)) return;
      if (paid.body.data.status === "authorized")
        world.payments.push({ id: intent.body.data.id.replace("pi_", "pay_test_"), amount: step.amount });
      return;
    }
    case "card_top_up": {
      const u = world.users[step.user]!;
      const intent = await call("POST", "/api/v1/payment-intents", {
        token: world.merchant.secret_key,
        body: {
          purpose: "wallet_top_up",
          external_user_id: u.external_id,
          fee_bearer: step.fee_bearer,
          amount: step.amount,
          currency: step.currency,
          success_url: "https://s.example/",
          cancel_url: "https://c.example/",
        },
      });
      if (intent.status !== 201) {
        expect(intent.body.error.code, JSON.stringify(intent.body)).toBe("limit_exceeded");
        return;
      }
      const paid = await call("POST", `/checkout/${intent.body.data.id}/pay`, {
        body: {
          client_secret: intent.body.data.client_secret,
          method: "card",
          card: { number: step.card, exp_month: 12, exp_year: 2040, cvc: "123", name: "P" },
        },
      });
      if (paid.status === 422 && paid.body.error.code === "limit_exceeded") return;
      if (lapsed(paid)) return;
      const payment_id = intent.body.data.id.replace("pi_", "pay_test_");
      if (paid.body.data.status === "authorized") world.top_ups.push({ payment_id, wallet_id: u.wallet_id });
      else if (paid.body.data.status === "failed") {
        // Refused at its capture (the allowance, or the merchant's balance for a fee it bears): voided, never charged.
        expect(["limit_exceeded", "insufficient_funds", "balance_limit_exceeded"]).toContain(paid.body.data.decline_code);
        world.top_ups.push({ payment_id, wallet_id: u.wallet_id });
      }
      return;
    }
    case "pay_capture": {
      const payment = world.payments[step.payment % Math.max(1, world.payments.length)];
      if (!payment) return;
      const res = await send(
        world,
        step,
        payment.id,
        `/api/v1/payments/${payment.id}/capture`,
        step.fraction === null ? {} : { amount: Math.max(1, Math.floor(payment.amount * step.fraction)) },
      );
      if (res.status !== 200)
        expect(["payment_not_capturable", "payment_in_progress", "idempotency_key_reused", "idempotency_key_in_use"]).toContain(
          res.body.error.code,
        );
      return;
    }
    case "pay_void": {
      const payment = world.payments[step.payment % Math.max(1, world.payments.length)];
      if (payment) await send(world, step, payment.id, `/api/v1/payments/${payment.id}/void`, {});
      return;
    }
    case "pay_refund": {
      const payment = world.payments[step.payment % Math.max(1, world.payments.length)];
      if (!payment) return;
      const res = await send(world, step, payment.id, `/api/v1/payments/${payment.id}/refund`, {
        reason: "property",
        ...(step.fraction === null ? {} : { amount: Math.max(1, Math.floor(payment.amount * step.fraction)) }),
      });
      if (res.status !== 200)
        expect([
          "payment_not_refundable",
          "amount_exceeds_refundable",
          "insufficient_funds",
          "idempotency_key_reused",
          "idempotency_key_in_use",
        ]).toContain(res.body.error.code);
      return;
    }
    case "payout": {
      const from = step.user === null ? null : world.users[step.user]!;
      const path = from === null ? "/api/v1/payouts" : `/api/v1/embedded/users/${from.id}/payouts`;
      const destination = { type: "mobile_wallet", provider: "fastpay", phone: RAIL_PHONES[step.rail] };
      const res = await send(world, step, from?.wallet_id ?? world.settlement_wallet_id, path, {
        amount: step.amount,
        currency: step.currency,
        destination,
      });
      if (res.status === 201 && res.headers.get("Idempotent-Replayed") === null)
        world.payouts.push({ id: res.body.data.id, amount: step.amount, wallet_id: from?.wallet_id ?? world.settlement_wallet_id });
      else if (res.status !== 201)
        expect(["insufficient_funds", "limit_exceeded", "idempotency_key_reused", "idempotency_key_in_use"]).toContain(res.body.error.code);
      return;
    }
    case "payout_cancel": {
      const payout = world.payouts[step.payout % Math.max(1, world.payouts.length)];
      if (!payout) return;
      const res = await send(world, step, payout.id, `/api/v1/payouts/${payout.id}/cancel`, {});
      if (res.status !== 200)
        expect(["payout_not_cancelable", "idempotency_key_reused", "idempotency_key_in_use"]).toContain(res.body.error.code);
      return;
    }
    case "clock": {
      const moved = await call("POST", "/api/v1/sandbox/clock", {
        token: world.merchant.secret_key,
        body: { advance_seconds: step.seconds },
      });
      expect(moved.status).toBe(200);
      return;
    }
    case "refund":
      await refundToUserWallet(env, {
        merchant: { merchant_id: world.merchant.merchant_id, mode: "sandbox" },
        settlement_wallet_id: world.settlement_wallet_id,
        user_wallet_id: world.users[step.user]!.wallet_id,
        operation_id: `refund:${crypto.randomUUID()}`,
        currency: step.currency,
        amount: step.amount,
        reference: "rfn_property",
        description: null,
        clock: systemClock,
      });
      return;
  }
}

/** A payment's own arithmetic holds, and nothing it reserved is left dangling once its steps ran. */
async function checkPayment(world: World, id: string): Promise<void> {
  const p = (await call("GET", `/api/v1/payments/${id}`, { token: world.merchant.secret_key })).body.data;
  if (p.top_up) return;
  expect(p.refunded_amount).toBeLessThanOrEqual(p.captured_amount);
  expect(p.captured_amount).toBeLessThanOrEqual(p.amount);
  expect(p.net_amount).toBe(p.captured_amount - p.refunded_amount);
  expect(p.commission_amount).toBeGreaterThanOrEqual(0);
  expect(p.merchant_amount).toBeGreaterThanOrEqual(0);
  expect(p.merchant_amount + p.commission_amount + p.refunded_amount).toBe(p.captured_amount);
  const expected =
    p.captured_amount === 0
      ? ["authorized", "voided", "expired"]
      : p.refunded_amount === 0
        ? ["captured"]
        : p.refunded_amount === p.captured_amount
          ? ["refunded"]
          : ["partially_refunded"];
  expect(expected, `${id} status ${p.status}`).toContain(p.status);
  const refunds = (await call("GET", `/api/v1/payments/${id}/refunds`, { token: world.merchant.secret_key })).body.data.refunds as {
    amount: number;
    status: string;
  }[];
  expect(refunds.filter((r) => r.status === "completed").reduce((sum, r) => sum + r.amount, 0)).toBe(p.refunded_amount);
  expect(refunds.filter((r) => r.status === "pending")).toEqual([]);
}

/**
 * A card top-up was captured into its user's wallet exactly once — one credit of the top-up amount
 * naming the payment, the charge and fee as its bearer says — or was refused and voided, leaving
 * no entry. The settlement wallet kept nothing, or paid the fee it bore.
 */
async function checkTopUp(world: World, top_up: World["top_ups"][number]): Promise<void> {
  const p = (await call("GET", `/api/v1/payments/${top_up.payment_id}`, { token: world.merchant.secret_key })).body.data;
  const chain = await walletObject(env, top_up.wallet_id).chain({ wallet_id: top_up.wallet_id, now_ms: Date.now() }, 0, 100_000);
  if (!chain.ok) throw new Error(`${top_up.wallet_id} refused the chain`);
  const credits = chain.entries.filter((e) => e.reference === p.id);
  topUpStatuses[p.status] = (topUpStatuses[p.status] ?? 0) + 1;
  if (p.status === "voided") {
    expect(credits, `${p.id} voided`).toEqual([]);
    expect(p.captured_amount).toBe(0);
    return;
  }
  expect(p.status, p.id).toBe("captured");
  const { amount, fee_amount, fee_bearer } = p.top_up;
  expect(credits.map((e) => [e.type, e.amount])).toEqual([["credit", amount]]);
  expect(p.captured_amount).toBe(fee_bearer === "buyer" ? amount + fee_amount : amount);
  expect(p.commission_amount).toBe(fee_amount);
  expect(p.merchant_amount).toBe(fee_bearer === "buyer" ? 0 : 0 - fee_amount);
}
const topUpStatuses: Record<string, number> = {};

/** How many payouts the run checked in each status: printed, to show the rail's every outcome was met. */
const payoutStatuses: Record<string, number> = {};

/** Waits until the payout has no move under way on its wallet (a rail rejection follows its creation by a moment). */
async function settled(id: string): Promise<void> {
  const stub = env.PAYOUT.get(env.PAYOUT.idFromName(objectKeyOf(id, "payout")!));
  for (let tries = 0; ; tries++) {
    const pending = await runInDurableObject(
      stub,
      (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM steps WHERE status = 'pending'").one().n,
    );
    if (pending === 0) return;
    if (tries > 200) throw new Error(`payout ${id} still has ${pending} moves under way`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Every payout's money moved exactly as its status says, once: held while pending or in transit,
 * released when failed or canceled, one debit when paid, and that debit and one credit back when
 * returned.
 */
async function checkPayout(world: World, payout: World["payouts"][number]): Promise<void> {
  // A read plays what the rail did by the merchant's clock (a move it starts runs a moment later): read, settle, read again.
  const read = async () => (await call("GET", `/api/v1/payouts/${payout.id}`, { token: world.merchant.secret_key })).body.data;
  await read();
  await settled(payout.id);
  const p = await read();
  const chain = await walletObject(env, payout.wallet_id).chain({ wallet_id: payout.wallet_id, now_ms: Date.now() }, 0, 100_000);
  if (!chain.ok) throw new Error(`${payout.wallet_id} refused the chain`);
  const mine = chain.entries.filter((e) => e.reference === payout.id);
  const sum = (type: string) => mine.filter((e) => e.type === type).reduce((total, e) => total + e.amount, 0);
  // What is held is the amount and its fee; a paid payout debits both (the fee to the platform); a return brings back the amount.
  const held = p.amount + p.fee_amount;
  expect(p.fee_amount).toBe(payout.wallet_id === world.settlement_wallet_id ? 0 : Math.floor((p.amount * PAYOUT_FEE_BPS + 5_000) / 10_000));
  const expected: Record<string, [number, number, number, number]> = {
    // hold, release, debit, credit
    pending: [held, 0, 0, 0],
    in_transit: [held, 0, 0, 0],
    paid: [held, 0, held, 0],
    returned: [held, 0, held, p.amount],
    failed: [held, held, 0, 0],
    canceled: [held, held, 0, 0],
  };
  expect([sum("hold"), sum("release"), sum("debit"), sum("credit")], `${payout.id} is ${p.status}`).toEqual(expected[p.status]);
  payoutStatuses[p.status] = (payoutStatuses[p.status] ?? 0) + 1;
  expect(p.amount).toBe(payout.amount);
  if (p.status === "failed" || p.status === "returned") expect(p.failure_code).not.toBeNull();
}

/**
 * An id means one thing: per (key, wallet) at most one request was answered afresh — executed, or
 * refused for a business reason and remembered — and every replay repeats that answer exactly.
 * Answers that are never stored (409 still running, 422 key reused) are neither.
 */
const NOT_STORED = new Set(["idempotency_key_in_use", "idempotency_key_reused", "payment_in_progress"]);

function checkKeys(world: World): void {
  for (const [slot, answers] of Map.groupBy(world.answers, (a) => `${a.key}@${a.object}`)) {
    const stored = answers.filter((a) => !(a.status >= 400 && NOT_STORED.has(JSON.parse(a.body).code)));
    const fresh = stored.filter((a) => !a.replayed);
    expect(fresh.length, `key ${slot} answered afresh ${fresh.length} times`).toBeLessThanOrEqual(1);
    // A top-up whose issuance was refused never reached the user's wallet, so its replays may come from the settlement wallet's record.
    for (const replay of stored.filter((a) => a.replayed)) {
      if (fresh[0]) expect(`${replay.status} ${replay.body}`, `replay of ${slot}`).toBe(`${fresh[0].status} ${fresh[0].body}`);
    }
  }
}

async function checkWallet(wallet_id: string): Promise<void> {
  const stub = walletObject(env, wallet_id);
  const callContext = { wallet_id, now_ms: Date.now() };
  const read = await stub.balances(callContext);
  const chain = await stub.chain(callContext, 0, 100_000);
  if (!read.ok || !chain.ok) throw new Error(`${wallet_id} refused the check`);
  const balances = read.balances;
  expect(chain.entries.length).toBe(chain.last_seq);
  const verified = verifyChain(
    chain.entries.map((e) => ({ ...e, wallet_id }) as ChainEntry),
    sha256Hex,
  );
  expect(verified, `chain of ${wallet_id}`).toMatchObject({ ok: true });
  const activeHolds = await runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<{ currency: string; held: number }>("SELECT currency, sum(amount) AS held FROM holds WHERE status = 'active' GROUP BY currency")
      .toArray(),
  );
  // The list's total, kept as running counts, agrees with the entries themselves.
  const counted = await stub.listEntries(callContext, {}, 1, 0);
  if (!counted.ok) throw new Error(`${wallet_id} refused the list`);
  expect(counted.total, `${wallet_id} entry count`).toBe(chain.last_seq);
  for (const b of balances) {
    expect(b.available).toBeGreaterThanOrEqual(0);
    expect(b.held).toBeGreaterThanOrEqual(0);
    expect(b.total).toBe(b.available + b.held);
    expect(b.held, `${wallet_id} ${b.currency} held = active holds`).toBe(activeHolds.find((h) => h.currency === b.currency)?.held ?? 0);
    const replayed = verified.ok ? (verified.balances.get(b.currency) ?? { available: 0, held: 0 }) : null;
    expect(replayed, `${wallet_id} ${b.currency} replays to its balance`).toEqual({ available: b.available, held: b.held });
  }
}

describe("wallet ledger properties", () => {
  it(`hold under ${RUNS} random concurrent sequences (seed ${SEED})`, async () => {
    console.log(`wallet property test: seed=${SEED} runs=${RUNS} (replay with PROPERTY_SEED=${SEED})`);
    const owner: Owner = { ...(await registerAndLogin()), logged_in_at_ms: Date.now() };
    await fc.assert(
      fc.asyncProperty(sequence, async (rounds) => {
        const world = await newWorld(owner);
        for (const round of rounds) await Promise.all(round.map((step) => run(world, step)));
        checkKeys(world);
        // Moves a rail rejection started finish before the audit (it balances mid-move too; the entries check below needs them done).
        for (const payout of world.payouts) await settled(payout.id);
        for (const currency of CURRENCIES) {
          const audit = await call("GET", `/api/v1/ledger/audit?currency=${currency}`, { token: world.merchant.secret_key });
          expect(audit.body.data, `audit ${currency}: ${JSON.stringify(audit.body)}`).toMatchObject({ balanced: true, outbox_pending: 0 });
        }
        for (const wallet_id of [...world.users.map((u) => u.wallet_id), world.settlement_wallet_id]) await checkWallet(wallet_id);
        for (const payment of world.payments) await checkPayment(world, payment.id);
        for (const payout of world.payouts) await checkPayout(world, payout);
        for (const top_up of world.top_ups) await checkTopUp(world, top_up);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log(`payouts checked, by status: ${JSON.stringify(payoutStatuses)}; card top-ups: ${JSON.stringify(topUpStatuses)}`);
  }, 10_800_000); // 10,000 sequences take about 75 minutes on 2 cores (payouts and clock moves doubled a sequence's cost)
});
