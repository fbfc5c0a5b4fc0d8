import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CURRENCIES } from "../../src/domain/currencies";
import { objectKeyOf } from "../../src/domain/ids";
import { walletObject } from "../../src/wallet/wallet-do";
import type { CreatePaymentIntentRequest, CreatePaymentIntentResponse } from "../../src/routes/checkouts";
import {
  balanceOf,
  call,
  countRows,
  createKey,
  newIntent,
  newMerchant,
  payWithCard,
  settle,
  syncUser,
  waitFor,
  type Answer,
  type TestMerchant,
} from "./helpers";

/**
 * Wallet top-ups by card: a payment intent with `purpose: "wallet_top_up"` is captured the moment
 * its card is approved, and its amount lands in the buyer's wallet as money entering the system.
 * The fee is the merchant's commission on the top-up, paid by the buyer on top or by the merchant
 * out of its settlement balance. Each case checks every wallet, the audit and the events.
 */

type Intent = CreatePaymentIntentResponse;

async function buyer(m: TestMerchant, kyc_level: "none" | "basic" | "full" = "basic") {
  const external_id = `usr_${crypto.randomUUID()}`;
  const synced = await syncUser(m.secret_key, external_id, { kyc_level });
  return { external_id, id: synced.body.data.mazad_user_id as string, wallet_id: synced.body.data.wallet_id as string };
}

function createTopUp(
  m: TestMerchant,
  body: Partial<CreatePaymentIntentRequest>,
  headers: Record<string, string> = {},
  token = m.secret_key,
) {
  const full = {
    amount: 25_000,
    currency: "IQD",
    purpose: "wallet_top_up",
    success_url: "https://shop.example/wallet",
    cancel_url: "https://shop.example/wallet",
    ...body,
  } as CreatePaymentIntentRequest;
  return call<Answer<Intent>>("POST", "/api/v1/payment-intents", { token, body: full, headers });
}

async function topUpIntent(m: TestMerchant, body: Partial<CreatePaymentIntentRequest>): Promise<Intent> {
  const res = await createTopUp(m, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { data: Intent }).data;
}

async function settlement(m: TestMerchant, currency = "IQD") {
  const res = await call("GET", "/api/v1/balance", { token: m.secret_key });
  const balance = res.body.data.balances.find((b: { currency: string }) => b.currency === currency);
  return { wallet_id: res.body.data.wallet_id as string, available: balance.available as number };
}

async function audit(m: TestMerchant, ...wallets: string[]) {
  await settle(...wallets, (await settlement(m)).wallet_id);
  return (await call("GET", "/api/v1/ledger/audit?currency=IQD", { token: m.secret_key })).body.data;
}

const paymentIdOf = (intent: { id: string }) => intent.id.replace(/^pi_/, "pay_test_");

/** The events the intent's object recorded, by type, with their payloads. */
function recordedEvents(intent: Intent) {
  const stub = env.PAYMENT.get(env.PAYMENT.idFromName(objectKeyOf(intent.id, "intent")!));
  return runInDurableObject(stub, (_i, state) =>
    state.storage.sql
      .exec<{ id: string; type: string; payload: string }>("SELECT id, type, payload FROM events ORDER BY seq")
      .toArray()
      .map((e) => ({ ...e, payload: JSON.parse(e.payload) })),
  );
}

describe("a card top-up, fee paid by the buyer (the default)", () => {
  it("charges the top-up plus the fee, credits the wallet the top-up, keeps the settlement at zero; one event each", async () => {
    const m = await newMerchant();
    const user = await buyer(m);
    const intent = await topUpIntent(m, { external_user_id: user.external_id });
    // 2.5 % of 25,000 IQD is 625: the card is charged 25,625.
    expect(intent).toMatchObject({
      amount: 25_625,
      purpose: "wallet_top_up",
      top_up: { user_id: user.id, external_user_id: user.external_id, amount: 25_000, fee_amount: 625, fee_bearer: "buyer" },
    });
    const paid = await payWithCard(intent);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.data).toMatchObject({ status: "authorized", message: "Your wallet was topped up." });

    const payment = (await call("GET", `/api/v1/payments/${paymentIdOf(intent)}`, { token: m.secret_key })).body.data;
    expect(payment).toMatchObject({
      status: "captured",
      method: "card",
      captured_amount: 25_625,
      commission_amount: 625,
      merchant_amount: 0,
      user_id: user.id,
      purpose: "wallet_top_up",
      top_up: { amount: 25_000, fee_amount: 625 },
      refund_before: null,
    });
    expect(await audit(m, user.wallet_id)).toMatchObject({
      balanced: true,
      outbox_pending: 0,
      external_credits: 25_625,
      platform_commission: 625,
      wallets_total: 25_000,
    });
    expect(await balanceOf(m.secret_key, user.id)).toMatchObject({ available: 25_000, held: 0 });
    expect((await settlement(m)).available).toBe(0);
    const entries = (await call("GET", `/api/v1/embedded/users/${user.id}/transactions`, { token: m.secret_key })).body.data.transactions;
    expect(entries).toEqual([
      expect.objectContaining({ type: "credit", amount: 25_000, description: "Card top-up", reference: payment.id }),
    ]);

    const events = await recordedEvents(intent);
    expect(events.map((e) => e.type)).toEqual(["payment_intent.succeeded", "payment.captured", "wallet.topped_up"]);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(events[2]!.payload.object).toMatchObject({
      object: "wallet_top_up",
      payment_id: payment.id,
      user_id: user.id,
      external_user_id: user.external_id,
      wallet_id: user.wallet_id,
      amount: 25_000,
      fee_amount: 625,
      charged_amount: 25_625,
      currency: "IQD",
    });
    const indexed = () => countRows("SELECT count(*) AS n FROM events WHERE type = 'wallet.topped_up' AND merchant_id = ?", m.merchant_id);
    await waitFor("the index to hold the top-up's event", indexed, (n) => n >= 1);
    expect(await indexed()).toBe(1);
    // The list (from the payments index) shows the same money as the payment itself.
    const listed = await waitFor(
      "the payments index to show the capture",
      async () => (await call("GET", "/api/v1/payments", { token: m.secret_key })).body.data.payments,
      (rows: { id: string; status: string }[]) => rows.some((r) => r.id === payment.id && r.status === "captured"),
    );
    expect(listed.find((r: { id: string }) => r.id === payment.id)).toMatchObject({
      captured_amount: 25_625,
      commission_amount: 625,
      merchant_amount: 0,
    });
  });

  it("is not refunded to the card, captured again or voided: the money is the user's", async () => {
    const m = await newMerchant();
    const user = await buyer(m);
    const intent = await topUpIntent(m, { external_user_id: user.external_id, amount: 5_000 });
    await payWithCard(intent);
    const id = paymentIdOf(intent);
    const refund = await call("POST", `/api/v1/payments/${id}/refund`, { token: m.secret_key, body: { reason: "changed mind" } });
    expect(refund.status).toBe(422);
    expect(refund.body.error.code).toBe("payment_not_refundable");
    for (const action of ["capture", "void"]) {
      const res = await call("POST", `/api/v1/payments/${id}/${action}`, { token: m.secret_key, body: {} });
      expect(res.status, action).toBe(422);
    }
    await settle(user.wallet_id);
    expect(await balanceOf(m.secret_key, user.id)).toMatchObject({ available: 5_000 });
  });
});

describe("a card top-up, fee paid by the merchant", () => {
  it("charges the top-up, credits all of it, and takes the fee from the settlement balance", async () => {
    const m = await newMerchant();
    // The merchant's settlement wallet earns 9,750 from an ordinary card payment of 10,000 IQD first.
    const sale = await newIntent(m.secret_key, 10_000, "IQD");
    await payWithCard(sale);
    await call("POST", `/api/v1/payments/${paymentIdOf(sale)}/capture`, { token: m.secret_key, body: {} });
    const user = await buyer(m);
    const intent = await topUpIntent(m, { external_user_id: user.external_id, amount: 20_000, fee_bearer: "merchant" });
    expect(intent).toMatchObject({ amount: 20_000, top_up: { amount: 20_000, fee_amount: 500, fee_bearer: "merchant" } });
    expect((await payWithCard(intent)).body.data).toMatchObject({ status: "authorized" });
    const payment = (await call("GET", `/api/v1/payments/${paymentIdOf(intent)}`, { token: m.secret_key })).body.data;
    expect(payment).toMatchObject({ status: "captured", captured_amount: 20_000, commission_amount: 500, merchant_amount: -500 });
    expect(await audit(m, user.wallet_id)).toMatchObject({
      balanced: true,
      external_credits: 30_000,
      platform_commission: 750,
      wallets_total: 9_750 - 500 + 20_000,
    });
    expect((await settlement(m)).available).toBe(9_250);
    expect(await balanceOf(m.secret_key, user.id)).toMatchObject({ available: 20_000 });
  });

  it("fails when the settlement balance cannot cover the fee: voided, nothing moved, the allowance given back", async () => {
    const m = await newMerchant();
    await setTopUpLimit(m, 30_000);
    const user = await buyer(m, "none");
    const intent = await topUpIntent(m, { external_user_id: user.external_id, amount: 30_000, fee_bearer: "merchant" });
    const paid = await payWithCard(intent);
    expect(paid.body.data).toMatchObject({ status: "failed", decline_code: "insufficient_funds" });
    expect(paid.body.data.message).toContain("fee");
    const payment = (await call("GET", `/api/v1/payments/${paymentIdOf(intent)}`, { token: m.secret_key })).body.data;
    expect(payment).toMatchObject({ status: "voided", captured_amount: 0, commission_amount: 0, merchant_amount: 0 });
    expect(await audit(m, user.wallet_id)).toMatchObject({ balanced: true, external_credits: 0, wallets_total: 0 });
    // The intent did not succeed: it failed, saying why, and never claimed success on the way.
    const read = await call("GET", `/api/v1/payment-intents/${intent.id}`, { token: m.secret_key });
    expect(read.body.data).toMatchObject({ status: "failed", last_decline_code: "insufficient_funds" });
    expect((await recordedEvents(intent)).map((e) => e.type)).toEqual(["payment_intent.payment_failed", "payment.voided"]);
    // The whole day's allowance is still there: a top-up the buyer pays the fee of goes through.
    const again = await topUpIntent(m, { external_user_id: user.external_id, amount: 30_000 });
    expect((await payWithCard(again)).body.data).toMatchObject({ status: "authorized" });
    await settle(user.wallet_id);
    expect(await balanceOf(m.secret_key, user.id)).toMatchObject({ available: 30_000 });
  });
});

describe("a card top-up past the merchant's bound on money in the system", () => {
  it("fails at its capture with balance_limit_exceeded: voided, nothing credited, the allowance given back", async () => {
    const m = await newMerchant();
    await setTopUpLimit(m, 10_000);
    const user = await buyer(m, "none");
    const { wallet_id } = await settlement(m);
    // The merchant's wallets hold all but 5,000 IQD of the bound (as a long history would leave them).
    await runInDurableObject(walletObject(env, wallet_id), (_i, state) => {
      state.storage.sql.exec("INSERT INTO issuance (currency, issued) VALUES ('IQD', ?)", CURRENCIES.IQD.max_issued_minor - 5_000);
    });
    const intent = await topUpIntent(m, { external_user_id: user.external_id, amount: 10_000 });
    const paid = await payWithCard(intent);
    expect(paid.body.data).toMatchObject({ status: "failed", decline_code: "balance_limit_exceeded" });
    const payment = (await call("GET", `/api/v1/payments/${paymentIdOf(intent)}`, { token: m.secret_key })).body.data;
    expect(payment).toMatchObject({ status: "voided", captured_amount: 0 });
    await settle(user.wallet_id);
    expect(await balanceOf(m.secret_key, user.id)).toMatchObject({ available: 0, held: 0 });
    // The day's allowance is whole again: 10,000 more fits it (and is refused only by the bound).
    expect((await createTopUp(m, { external_user_id: user.external_id, amount: 10_000 })).status).toBe(201);
  });
});

async function setTopUpLimit(m: TestMerchant, max_top_up_per_day: number) {
  const res = await call("PATCH", `/api/v1/merchants/${m.merchant_id}`, {
    token: m.token,
    body: { kyc_limits: { none: { IQD: { max_top_up_per_day } } } },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe("a card top-up within the buyer's KYC limits", () => {
  it("is refused at creation past the day's allowance, and before the card is tried once the day's allowance is used", async () => {
    const m = await newMerchant();
    await setTopUpLimit(m, 30_000);
    const user = await buyer(m, "none");
    const over = await createTopUp(m, { external_user_id: user.external_id, amount: 30_001 });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ error: { code: "limit_exceeded", param: "amount" } });
    const first = await topUpIntent(m, { external_user_id: user.external_id, amount: 20_000 });
    const second = await topUpIntent(m, { external_user_id: user.external_id, amount: 20_000 });
    expect((await payWithCard(first)).body.data).toMatchObject({ status: "authorized" });
    const refused = await payWithCard(second);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: { code: "limit_exceeded", param: "amount" } });
    const read = await call("GET", `/api/v1/payment-intents/${second.id}`, { token: m.secret_key });
    expect(read.body.data).toMatchObject({ status: "requires_payment_method", attempts_remaining: 5, payment_id: null });
  });

  it("a retried create replays its intent even once the allowance it was checked against is used", async () => {
    const m = await newMerchant();
    await setTopUpLimit(m, 25_000);
    const user = await buyer(m, "none");
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const first = await createTopUp(m, { external_user_id: user.external_id, amount: 25_000 }, headers);
    expect(first.status).toBe(201);
    expect((await payWithCard((first.body as { data: Intent }).data)).body.data).toMatchObject({ status: "authorized" });
    const retried = await createTopUp(m, { external_user_id: user.external_id, amount: 25_000 }, headers);
    expect(retried.status).toBe(201);
    expect(retried.headers.get("Idempotent-Replayed")).toBe("true");
    expect(retried.body).toEqual(first.body);
    // A new request is checked: the day's allowance is gone.
    const fresh = await createTopUp(m, { external_user_id: user.external_id, amount: 1 });
    expect(fresh.body).toMatchObject({ error: { code: "limit_exceeded", param: "amount" } });
  });

  it("racing top-ups never pass the day's allowance: exactly what fits lands", async () => {
    const m = await newMerchant();
    await setTopUpLimit(m, 50_000);
    const user = await buyer(m, "none");
    const intents = await Promise.all(
      Array.from({ length: 6 }, () => topUpIntent(m, { external_user_id: user.external_id, amount: 20_000 })),
    );
    const answers = await Promise.all(intents.map((intent) => payWithCard(intent)));
    const topped = answers.filter((a) => a.status === 200 && a.body.data?.status === "authorized");
    expect(topped).toHaveLength(2);
    for (const a of answers.filter((x) => !topped.includes(x))) {
      // Refused before the card (422) or at the capture (failed, the authorization voided): never charged.
      const code = a.status === 422 ? a.body.error.code : a.body.data.decline_code;
      expect(code, JSON.stringify(a.body)).toBe("limit_exceeded");
    }
    expect(await audit(m, user.wallet_id)).toMatchObject({ balanced: true, external_credits: 2 * 20_500, wallets_total: 40_000 });
    expect(await balanceOf(m.secret_key, user.id)).toMatchObject({ available: 40_000 });
  });
});

describe("creating a top-up intent", () => {
  it("names its user, refuses what does not belong to a top-up, and 404s another merchant's user", async () => {
    const m = await newMerchant();
    const other = await newMerchant();
    const theirs = await buyer(other);
    const missing = await createTopUp(m, {});
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: { code: "parameter_missing", param: "external_user_id" } });
    const stray = await createTopUp(m, { purpose: "payment", external_user_id: "usr_1" });
    expect(stray.status).toBe(422);
    expect(stray.body).toMatchObject({ error: { code: "parameter_invalid", param: "external_user_id" } });
    const strayBearer = await createTopUp(m, { purpose: undefined, fee_bearer: "merchant" });
    expect(strayBearer.body).toMatchObject({ error: { code: "parameter_invalid", param: "fee_bearer" } });
    const foreign = await createTopUp(m, { external_user_id: theirs.external_id });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ error: { code: "resource_missing", param: "external_user_id" } });
    // A checkout session is paid from the buyer's wallet: a top-up is an intent.
    const session = await call("POST", "/api/v1/checkout/sessions", {
      token: m.secret_key,
      body: {
        external_user_id: "x",
        amount: 1_000,
        currency: "IQD",
        purpose: "wallet_top_up",
        success_url: "https://a.example",
        cancel_url: "https://a.example",
      },
    });
    expect(session.body).toMatchObject({ error: { code: "parameter_unknown", param: "purpose" } });
  });

  it("replays the same request for its Idempotency-Key and refuses the key for another (422)", async () => {
    const m = await newMerchant();
    const user = await buyer(m);
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const first = await createTopUp(m, { external_user_id: user.external_id }, headers);
    const again = await createTopUp(m, { external_user_id: user.external_id }, headers);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    const otherBearer = await createTopUp(m, { external_user_id: user.external_id, fee_bearer: "merchant" }, headers);
    expect(otherBearer.status).toBe(422);
    expect(otherBearer.body).toMatchObject({ error: { code: "idempotency_key_reused" } });
    const asPayment = await createTopUp(m, { purpose: "payment", amount: 25_625 }, headers);
    expect(asPayment.status).toBe(422);
  });

  it("in live mode is created, and says the card processor is not connected when paid", async () => {
    const m = await newMerchant();
    const live = (await createKey(m, "secret", "live")).secret;
    const external_id = `usr_${crypto.randomUUID()}`;
    expect((await syncUser(live, external_id)).status).toBe(201);
    const created = await createTopUp(m, { external_user_id: external_id }, {}, live);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const intent = (created.body as { data: Intent }).data;
    expect(intent).toMatchObject({ purpose: "wallet_top_up", top_up: { amount: 25_000 } });
    const paid = await payWithCard(intent);
    expect(paid.status).toBe(422);
    expect(paid.body).toMatchObject({ error: { code: "card_processing_unavailable" } });
  });
});
