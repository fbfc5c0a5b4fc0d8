import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/domain/clock";
import { objectKeyOf } from "../../src/domain/ids";
import { refundToUserWallet } from "../../src/services/wallet-refunds";
import { walletObject } from "../../src/wallet/wallet-do";
import {
  balanceOf,
  call,
  createKey,
  fundedUser,
  newIntent,
  newMerchant,
  newSession,
  payWithCard,
  payWithWallet,
  settle,
  type TestMerchant,
} from "./helpers";

/** Checkout sessions, payment intents and payments, through the API as a merchant and a buyer use them. */

async function audit(m: TestMerchant, currency = "IQD") {
  return (await call("GET", `/api/v1/ledger/audit?currency=${currency}`, { token: m.secret_key })).body.data;
}

async function settlementBalance(m: TestMerchant, currency = "IQD") {
  const res = await call("GET", "/api/v1/balance", { token: m.secret_key });
  return {
    wallet_id: res.body.data.wallet_id as string,
    ...res.body.data.balances.find((b: { currency: string }) => b.currency === currency),
  };
}

/** A buyer who paid a session of `amount` from their wallet: the payment is authorized. */
async function authorizedWalletPayment(amount: number, funds = amount * 2) {
  const { merchant, user_id, wallet_id } = await fundedUser(funds);
  const external_id = (await call("GET", `/api/v1/embedded/users/${user_id}`, { token: merchant.secret_key })).body.data.external_id;
  const session = await newSession(merchant.secret_key, external_id, amount);
  const paid = await payWithWallet(session);
  expect(paid.body.data.status).toBe("authorized");
  const read = await call("GET", `/api/v1/checkout/sessions/${session.id}`, { token: merchant.secret_key });
  return { merchant, user_id, wallet_id, session, payment_id: read.body.data.payment_id as string };
}

describe("the checkout quickstart, step by step", () => {
  it("sync → session → pay on the page → poll → capture → refund, with the money where it should be", async () => {
    const merchant = await newMerchant();
    // Step 2: sync the buyer (and, in sandbox, give them money).
    const synced = await call("POST", "/api/v1/users/sync", {
      token: merchant.secret_key,
      body: { external_user_id: "usr_buyer_001", name: "Ahmed Al-Bayati", email: "ahmed@example.com", phone: "+9647701234567" },
    });
    expect(synced.status).toBe(201);
    await call("POST", "/api/v1/embedded/users/usr_buyer_001/wallet/top-ups", {
      token: merchant.secret_key,
      body: { amount: 100_000, currency: "IQD" },
    });

    // Step 3: the quickstart's request, verbatim.
    const created = await call("POST", "/api/v1/checkout/sessions", {
      token: merchant.secret_key,
      headers: { "Idempotency-Key": crypto.randomUUID() },
      body: {
        external_user_id: "usr_buyer_001",
        amount: 45000,
        currency: "IQD",
        description: "Order #1042 — Antique Vase",
        success_url: "https://yoursite.com/success",
        cancel_url: "https://yoursite.com/cancel",
        metadata: { order_id: "1042" },
      },
    });
    expect(created.status).toBe(201);
    const session = created.body.data;
    expect(session).toMatchObject({
      object: "checkout.session",
      status: "open",
      amount: 45000,
      currency: "IQD",
      payment_id: null,
      metadata: { order_id: "1042" },
      external_user_id: "usr_buyer_001",
    });
    expect(session.id).toMatch(/^cs_test_[0-9A-Za-z]{16}$/);
    expect(session.checkout_url).toBe(`http://localhost/checkout/${session.id}?client_secret=${encodeURIComponent(session.client_secret)}`);
    expect(Date.parse(session.expires_at) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);

    // Steps 4–5: the buyer pays on the page; the merchant polls.
    const paid = await payWithWallet(session);
    expect(paid.body.data).toMatchObject({ status: "authorized", redirect_url: `https://yoursite.com/success?session_id=${session.id}` });
    const polled = await call("GET", `/api/v1/checkout/sessions/${session.id}`, { token: merchant.secret_key });
    expect(polled.body.data).toMatchObject({ status: "authorized", amount: 45000 });
    const payment_id: string = polled.body.data.payment_id;
    expect(payment_id).toBe(session.id.replace("cs_test_", "pay_test_"));
    expect(await balanceOf(merchant.secret_key, "usr_buyer_001")).toMatchObject({ available: 55_000, held: 45_000 });

    // Step 6: capture, as the quickstart does.
    const captured = await call("POST", `/api/v1/payments/${payment_id}/capture`, {
      token: merchant.secret_key,
      headers: { "Idempotency-Key": crypto.randomUUID() },
      body: { amount: 45000 },
    });
    expect(captured.status).toBe(200);
    expect(captured.body.data).toMatchObject({
      id: payment_id,
      status: "captured",
      captured_amount: 45000,
      currency: "IQD",
      commission_amount: 1125,
    });
    expect(await balanceOf(merchant.secret_key, "usr_buyer_001")).toMatchObject({ available: 55_000, held: 0, total: 55_000 });
    await settle(synced.body.data.wallet_id);
    expect(await settlementBalance(merchant)).toMatchObject({ available: 43_875 });

    // Then a refund, to the buyer's wallet.
    const refunded = await call("POST", `/api/v1/payments/${payment_id}/refund`, {
      token: merchant.secret_key,
      body: { amount: 5000, reason: "One item damaged" },
    });
    expect(refunded.status).toBe(200);
    expect(refunded.body.data).toMatchObject({
      status: "partially_refunded",
      captured_amount: 45000,
      refunded_amount: 5000,
      net_amount: 40000,
      refund: { amount: 5000, reason: "One item damaged", status: "completed" },
    });
    expect(refunded.body.data.refund.id).toMatch(/^rfn_/);
    await settle((await settlementBalance(merchant)).wallet_id);
    expect(await balanceOf(merchant.secret_key, "usr_buyer_001")).toMatchObject({ available: 60_000 });
    const buyerEntries = await call("GET", "/api/v1/embedded/users/usr_buyer_001/transactions?type=refund", { token: merchant.secret_key });
    expect(buyerEntries.body.data.transactions.reduce((sum: number, t: { amount: number }) => sum + t.amount, 0)).toBe(5000);
    expect(await audit(merchant)).toMatchObject({ balanced: true, outbox_pending: 0 });
  });
});

describe("payment intents", () => {
  it("are paid by card, expire in an hour, and redirect to success_url with the id", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 9999);
    expect(intent).toMatchObject({ status: "requires_payment_method", attempts_remaining: 5 });
    expect(intent.id).toMatch(/^pi_[0-9A-Za-z]{16}$/);
    expect(Math.abs(Date.parse(intent.expires_at) - (Date.now() + 3_600_000))).toBeLessThan(5_000);
    const paid = await payWithCard(intent);
    expect(paid.body.data).toMatchObject({ status: "authorized", redirect_url: `https://shop.example/thanks?payment_intent=${intent.id}` });
    const read = await call("GET", `/api/v1/payment-intents/${intent.id}`, { token: merchant.secret_key });
    expect(read.body.data).toMatchObject({ status: "authorized", payment_id: intent.id.replace("pi_", "pay_test_") });
    const payment = await call("GET", `/api/v1/payments/${read.body.data.payment_id}`, { token: merchant.secret_key });
    expect(payment.body.data).toMatchObject({
      status: "authorized",
      method: "card",
      amount: 9999,
      card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2030 },
    });
    expect(JSON.stringify(payment.body)).not.toContain("4242424242424242");
  });

  it.each([
    ["4000 0000 0000 9995", "51"],
    ["4000 0000 0000 0069", "54"],
    ["4000 0000 0000 0127", "N7"],
    ["4111 1111 1111 1111", "05"],
  ])("declines %s with code %s and keeps the intent open", async (number, code) => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 500);
    const res = await payWithCard(intent, { number });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: "declined", decline_code: code, attempts_remaining: 4 });
    expect(res.body.data.redirect_url).toBeUndefined();
    expect((await call("GET", `/api/v1/payment-intents/${intent.id}`, { token: merchant.secret_key })).body.data.status).toBe(
      "requires_payment_method",
    );
  });

  it("fails after five declines, and then sends the buyer to cancel_url", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 500);
    for (let i = 4; i >= 1; i--) expect((await payWithCard(intent, { number: "4000000000009995" })).body.data.attempts_remaining).toBe(i);
    const last = await payWithCard(intent, { number: "4000000000009995" });
    expect(last.body.data).toMatchObject({
      status: "failed",
      attempts_remaining: 0,
      redirect_url: `https://shop.example/cart?payment_intent=${intent.id}`,
    });
    expect((await call("GET", `/api/v1/payment-intents/${intent.id}`, { token: merchant.secret_key })).body.data.status).toBe("failed");
    const again = await payWithCard(intent);
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe("checkout_not_open");
  });

  it("answers the quickstart's common issues exactly", async () => {
    const merchant = await newMerchant();
    const float = await call("POST", "/api/v1/payment-intents", {
      token: merchant.secret_key,
      body: { amount: 99.99, currency: "USD", success_url: "https://s.example/", cancel_url: "https://c.example/" },
    });
    expect(float.status).toBe(400);
    expect(float.body.error).toMatchObject({ code: "parameter_invalid_type", param: "amount" });
    const badKey = await call("POST", "/api/v1/payment-intents", {
      token: "sk_sandbox_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      body: { amount: 9999, currency: "USD", success_url: "https://s.example/", cancel_url: "https://c.example/" },
    });
    expect(badKey.status).toBe(401);
    const intent = await newIntent(merchant.secret_key, 9999);
    const mismatch = await payWithCard({ id: intent.id, client_secret: `${intent.client_secret}x` });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.error.code).toBe("client_secret_invalid");
    expect(JSON.stringify(mismatch.body)).not.toContain("9999");
    await payWithCard(intent);
    const completed = await payWithCard(intent);
    expect(completed.status).toBe(422);
    expect(completed.body.error.code).toBe("payment_already_completed");
  });

  it("refuses a mistyped card with 422 naming the field, without using an attempt", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 500);
    for (const [card, param] of [
      [{ number: "4242 4242 4242 4241" }, "card.number"],
      [{ exp_year: 2020 }, "card.exp_month"],
      [{ cvc: "12" }, "card.cvc"],
    ] as const) {
      const res = await payWithCard(intent, card);
      expect(res.status, JSON.stringify(card)).toBe(422);
      expect(res.body.error).toMatchObject({ code: "card_invalid", param });
    }
    expect((await call("GET", `/api/v1/payment-intents/${intent.id}`, { token: merchant.secret_key })).body.data.attempts_remaining).toBe(
      5,
    );
  });

  it("cannot be paid by card in live mode yet, and says so", async () => {
    const merchant = await newMerchant();
    const live = await createKey(merchant, "secret", "live");
    const intent = await newIntent(live.secret, 500);
    expect(intent.id).toMatch(/^pi_/);
    const res = await payWithCard(intent);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("card_processing_unavailable");
  });

  it("can be canceled by the merchant, once", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 500);
    const canceled = await call("POST", `/api/v1/payment-intents/${intent.id}/cancel`, { token: merchant.secret_key });
    expect(canceled.body.data.status).toBe("canceled");
    const again = await call("POST", `/api/v1/payment-intents/${intent.id}/cancel`, { token: merchant.secret_key });
    expect(again.status).toBe(422);
    expect((await payWithCard(intent)).body.error.code).toBe("checkout_not_open");
  });
});

describe("wallet payments", () => {
  it("hold the buyer's funds; insufficient funds is a clear decline that does not end the session", async () => {
    const { merchant, user_id } = await fundedUser(1_000);
    const session = await newSession(merchant.secret_key, user_id, 5_000);
    const short = await payWithWallet(session);
    expect(short.body.data).toMatchObject({ status: "declined", decline_code: "insufficient_funds" });
    expect(short.body.data.message).toContain("enough");
    await call("POST", `/api/v1/embedded/users/${user_id}/wallet/top-ups`, {
      token: merchant.secret_key,
      body: { amount: 4_000, currency: "IQD" },
    });
    expect((await payWithWallet(session)).body.data.status).toBe("authorized");
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 0, held: 5_000 });
  });

  it("need the confirmation code; five wrong codes cancel the session", async () => {
    const { merchant, user_id } = await fundedUser(10_000);
    const session = await newSession(merchant.secret_key, user_id, 5_000);
    for (let i = 0; i < 4; i++)
      expect((await payWithWallet(session, "000000")).body.data).toMatchObject({ status: "declined", decline_code: "invalid_otp" });
    expect((await payWithWallet(session, "000000")).body.data).toMatchObject({
      status: "failed",
      redirect_url: `https://shop.example/cancel?session_id=${session.id}`,
    });
    expect((await call("GET", `/api/v1/checkout/sessions/${session.id}`, { token: merchant.secret_key })).body.data.status).toBe(
      "canceled",
    );
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ held: 0 });
  });

  it("name the payment in the buyer's entries, and keep its hold out of the holds API", async () => {
    const { merchant, user_id, wallet_id, payment_id } = await authorizedWalletPayment(2_000);
    const list = await call("GET", `/api/v1/embedded/users/${user_id}/transactions?type=hold`, { token: merchant.secret_key });
    expect(list.body.data.transactions[0].reference).toBe(payment_id);
    const hold_id = await runInDurableObject(
      walletObject(env, wallet_id),
      (_i, state) => state.storage.sql.exec<{ id: string }>("SELECT id FROM holds").one().id,
    );
    for (const [method, path] of [
      ["GET", `/api/v1/embedded/holds/${hold_id}`],
      ["POST", `/api/v1/embedded/holds/${hold_id}/capture`],
      ["POST", `/api/v1/embedded/holds/${hold_id}/release`],
    ] as const) {
      expect((await call(method, path, { token: merchant.secret_key, body: method === "POST" ? {} : undefined })).status, path).toBe(404);
    }
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ held: 2_000 });
  });
});

describe("capture and void", () => {
  it("captures part: the rest goes back to the buyer, and more than authorized is 422", async () => {
    const { merchant, user_id, wallet_id, payment_id } = await authorizedWalletPayment(10_000);
    const over = await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, body: { amount: 10_001 } });
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: "amount_exceeds_authorization", param: "amount" });
    const part = await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, body: { amount: 6_000 } });
    expect(part.body.data).toMatchObject({ status: "captured", captured_amount: 6_000, commission_amount: 150 });
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 14_000, held: 0 });
    const twice = await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, body: {} });
    expect(twice.status).toBe(422);
    expect(twice.body.error.code).toBe("payment_not_capturable");
    const voided = await call("POST", `/api/v1/payments/${payment_id}/void`, { token: merchant.secret_key });
    expect(voided.body.error.code).toBe("payment_not_voidable");
    await settle(wallet_id);
    expect(await audit(merchant)).toMatchObject({ balanced: true, platform_commission: 150 });
  });

  it("voids an authorization: the buyer's funds are released, and it cannot be captured after", async () => {
    const { merchant, user_id, payment_id } = await authorizedWalletPayment(3_000);
    const voided = await call("POST", `/api/v1/payments/${payment_id}/void`, { token: merchant.secret_key });
    expect(voided.body.data.status).toBe("voided");
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 6_000, held: 0 });
    expect((await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, body: {} })).body.error.code).toBe(
      "payment_not_capturable",
    );
  });

  it("replays a capture retried with its key, and refuses the key for another amount", async () => {
    const { merchant, payment_id } = await authorizedWalletPayment(3_000);
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const first = await call("POST", `/api/v1/payments/${payment_id}/capture`, {
      token: merchant.secret_key,
      headers,
      body: { amount: 2_000 },
    });
    const replay = await call("POST", `/api/v1/payments/${payment_id}/capture`, {
      token: merchant.secret_key,
      headers,
      body: { amount: 2_000 },
    });
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
    const other = await call("POST", `/api/v1/payments/${payment_id}/capture`, {
      token: merchant.secret_key,
      headers,
      body: { amount: 1_000 },
    });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
  });

  it("brings card captures into the system as money entering, commission to the platform", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 10_000);
    await payWithCard(intent);
    const payment_id = intent.id.replace("pi_", "pay_test_");
    const captured = await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, body: {} });
    expect(captured.body.data).toMatchObject({ status: "captured", captured_amount: 10_000, commission_amount: 250 });
    const settlement = await settlementBalance(merchant, "USD");
    expect(settlement).toMatchObject({ available: 9_750 });
    await settle(settlement.wallet_id);
    expect(await audit(merchant, "USD")).toMatchObject({
      balanced: true,
      external_credits: 10_000,
      platform_commission: 250,
      wallets_total: 9_750,
    });
  });
});

describe("refunds", () => {
  async function capturedWallet(amount: number) {
    const paid = await authorizedWalletPayment(amount);
    await call("POST", `/api/v1/payments/${paid.payment_id}/capture`, { token: paid.merchant.secret_key, body: {} });
    await settle(paid.wallet_id);
    return paid;
  }

  it("returns the commission as the guide's worked example says: +29,250, −9,750, back to zero", async () => {
    const { merchant, user_id, payment_id } = await capturedWallet(30_000);
    const settlement = await settlementBalance(merchant);
    expect(settlement.available).toBe(29_250);
    const first = await call("POST", `/api/v1/payments/${payment_id}/refund`, {
      token: merchant.secret_key,
      body: { amount: 10_000, reason: "Partial return - 2 of 5 items returned", metadata: { items_returned: 2, return_id: "ret_456" } },
    });
    expect(first.body.data).toMatchObject({
      status: "partially_refunded",
      refunded_amount: 10_000,
      net_amount: 20_000,
      commission_amount: 500,
      refund: { metadata: { items_returned: 2, return_id: "ret_456" } },
    });
    expect((await settlementBalance(merchant)).available).toBe(29_250 - 9_750);
    const rest = await call("POST", `/api/v1/payments/${payment_id}/refund`, {
      token: merchant.secret_key,
      body: { reason: "Customer requested return - item defective" },
    });
    expect(rest.body.data).toMatchObject({
      status: "refunded",
      refunded_amount: 30_000,
      net_amount: 0,
      commission_amount: 0,
      refund: { amount: 20_000 },
    });
    expect(rest.body.data.refunds).toHaveLength(2);
    expect((await settlementBalance(merchant)).available).toBe(0);
    await settle(settlement.wallet_id);
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 60_000, held: 0 });
    expect(await audit(merchant)).toMatchObject({ balanced: true, platform_commission: 0 });
    const none = await call("POST", `/api/v1/payments/${payment_id}/refund`, { token: merchant.secret_key, body: { reason: "again" } });
    expect(none.body.error.code).toBe("payment_not_refundable");
  });

  it("validates amount and reason, and refunds a card payment out of the system", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 25_000, "IQD");
    await payWithCard(intent);
    const payment_id = intent.id.replace("pi_", "pay_test_");
    await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, body: {} });
    const noReason = await call("POST", `/api/v1/payments/${payment_id}/refund`, { token: merchant.secret_key, body: { amount: 100 } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toMatchObject({ code: "parameter_missing", param: "reason" });
    const longReason = await call("POST", `/api/v1/payments/${payment_id}/refund`, {
      token: merchant.secret_key,
      body: { reason: "x".repeat(257) },
    });
    expect(longReason.body.error).toMatchObject({
      code: "parameter_invalid",
      param: "reason",
      message: "reason is at most 256 characters.",
    });
    const tooMuch = await call("POST", `/api/v1/payments/${payment_id}/refund`, {
      token: merchant.secret_key,
      body: { amount: 25_001, reason: "r" },
    });
    expect(tooMuch.body.error).toMatchObject({ code: "amount_exceeds_refundable", param: "amount" });
    const signed = await call("POST", `/api/v1/gateway/payments/${payment_id}/refund`, {
      token: merchant.secret_key,
      body: { amount: 10_000, reason: "Partial return" },
    });
    expect(signed.body.data).toMatchObject({
      status: "partially_refunded",
      amount: 25_000,
      captured_amount: 25_000,
      refunded_amount: 10_000,
      net_amount: 15_000,
    });
    const settlement = await settlementBalance(merchant);
    await settle(settlement.wallet_id);
    expect(await audit(merchant)).toMatchObject({
      balanced: true,
      external_credits: 25_000,
      external_debits: 10_000,
      platform_commission: 375,
    });
  });

  it("refuses a refund the settlement wallet cannot cover, moving nothing", async () => {
    const { merchant, user_id, wallet_id, payment_id } = await capturedWallet(10_000);
    const settlement = await settlementBalance(merchant);
    // The merchant's money left the settlement wallet (as a payout would): 9,000 of its 9,750.
    const drained = await refundToUserWallet(env, {
      merchant: { merchant_id: merchant.merchant_id, mode: "sandbox" },
      settlement_wallet_id: settlement.wallet_id,
      user_wallet_id: wallet_id,
      operation_id: "drain",
      currency: "IQD",
      amount: 9_000,
      reference: "payout_x",
      description: null,
      clock: systemClock,
    });
    expect(drained.ok).toBe(true);
    const refused = await call("POST", `/api/v1/payments/${payment_id}/refund`, {
      token: merchant.secret_key,
      body: { amount: 5_000, reason: "r" },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: "insufficient_funds", param: "amount" });
    expect(refused.body.error.message).toContain("settlement wallet");
    const payment = (await call("GET", `/api/v1/payments/${payment_id}`, { token: merchant.secret_key })).body.data;
    expect(payment).toMatchObject({ status: "captured", refunded_amount: 0 });
    expect((await call("GET", `/api/v1/payments/${payment_id}/refunds`, { token: merchant.secret_key })).body.data.refunds[0].status).toBe(
      "failed",
    );
    // What the settlement wallet can cover still goes through.
    const small = await call("POST", `/api/v1/payments/${payment_id}/refund`, {
      token: merchant.secret_key,
      body: { amount: 700, reason: "r" },
    });
    expect(small.body.data).toMatchObject({ status: "partially_refunded", refunded_amount: 700 });
    await settle(settlement.wallet_id);
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 10_000 + 9_000 + 700 });
    expect(await audit(merchant)).toMatchObject({ balanced: true });
  });

  it("refuses a refund after 90 days", async () => {
    const { merchant, payment_id } = await capturedWallet(10_000);
    await call("POST", "/api/v1/sandbox/clock", { token: merchant.secret_key, body: { advance_seconds: 91 * 86_400 } });
    const late = await call("POST", `/api/v1/payments/${payment_id}/refund`, { token: merchant.secret_key, body: { reason: "late" } });
    expect(late.status).toBe(422);
    expect(late.body.error.code).toBe("refund_window_expired");
  });

  it("50 concurrent partial refunds of 300 on a capture of 10,000: exactly 33 accepted, and the wallets agree", async () => {
    const { merchant, user_id, wallet_id, payment_id } = await capturedWallet(10_000);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call("POST", `/api/v1/payments/${payment_id}/refund`, { token: merchant.secret_key, body: { amount: 300, reason: `part ${i}` } }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(33);
    for (const r of results.filter((r) => r.status !== 200)) expect(r.body.error.code).toBe("amount_exceeds_refundable");
    const payment = (await call("GET", `/api/v1/payments/${payment_id}`, { token: merchant.secret_key })).body.data;
    expect(payment).toMatchObject({ status: "partially_refunded", refunded_amount: 9_900, net_amount: 100 });
    const settlement = await settlementBalance(merchant);
    await settle(settlement.wallet_id, wallet_id);
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 10_000 + 9_900 });
    // What the platform keeps is the commission on the 100 left captured.
    expect(await audit(merchant)).toMatchObject({ balanced: true, platform_commission: 3, wallets_total: 20_000 - 3 });
    expect((await call("GET", `/api/v1/payments/${payment_id}/refunds`, { token: merchant.secret_key })).body.data.refunds).toHaveLength(
      33,
    );
  });
});

describe("what a payment shows of its money: net, commission, what the merchant received", () => {
  async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const value = await read();
      if (done(value)) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  const summaryOf = async (m: TestMerchant, id: string) =>
    (
      (await call("GET", "/api/v1/payments?per_page=100", { token: m.secret_key })).body.data.payments as {
        id: string;
        refunded_amount: number;
      }[]
    ).find((p) => p.id === id);
  const eventOf = async (m: TestMerchant, type: string) =>
    (await call("GET", `/api/v1/events?type=${type}`, { token: m.secret_key })).body.data.events[0] as
      | { data: { object: Record<string, unknown> } }
      | undefined;

  it(
    "a 10,000 IQD card payment captured at 2.5 %, then 4,000 refunded: " +
      "every figure is what the wallets moved, everywhere the payment shows",
    async () => {
      const merchant = await newMerchant();
      const intent = await newIntent(merchant.secret_key, 10_000, "IQD");
      await payWithCard(intent);
      const payment_id = intent.id.replace("pi_", "pay_test_");
      const settlementBefore = await settlementBalance(merchant);
      const platformBefore: number = (await audit(merchant)).platform_commission;

      const captured = await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, body: {} });
      expect(captured.body.data).toMatchObject({
        captured_amount: 10_000,
        refunded_amount: 0,
        net_amount: 10_000,
        commission_amount: 250,
        merchant_amount: 9_750,
      });

      // Commission is recalculated on the 6,000 left captured (150): 100 of the 250 goes back with the refund.
      const refunded = await call("POST", `/api/v1/payments/${payment_id}/refund`, {
        token: merchant.secret_key,
        body: { amount: 4_000, reason: "Partial return" },
      });
      const figures = {
        captured_amount: 10_000,
        refunded_amount: 4_000,
        net_amount: 6_000,
        commission_amount: 150,
        merchant_amount: 5_850,
      };
      expect(refunded.body.data).toMatchObject({ status: "partially_refunded", ...figures });
      const read = (await call("GET", `/api/v1/payments/${payment_id}`, { token: merchant.secret_key })).body.data;
      expect(read).toMatchObject(figures);
      expect(read.merchant_amount + read.commission_amount + read.refunded_amount).toBe(read.captured_amount);

      // What the merchant received is what its settlement wallet gained; the commission, what the platform kept.
      await settle(settlementBefore.wallet_id);
      const settlementAfter = await settlementBalance(merchant);
      expect(settlementAfter.available - settlementBefore.available).toBe(read.merchant_amount);
      const after = await audit(merchant);
      expect(after.platform_commission - platformBefore).toBe(read.commission_amount);
      expect(after).toMatchObject({ balanced: true, external_credits: 10_000, external_debits: 4_000 });

      // The list (from the D1 index) and the events say the same.
      const summary = await until(
        "the index",
        () => summaryOf(merchant, payment_id),
        (p) => p?.refunded_amount === 4_000,
      );
      expect(summary).toMatchObject(figures);
      const capturedEvent = await until(
        "payment.captured",
        () => eventOf(merchant, "payment.captured"),
        (e) => e !== undefined,
      );
      expect(capturedEvent!.data.object).toMatchObject({ net_amount: 10_000, commission_amount: 250, merchant_amount: 9_750 });
      const refundedEvent = await until(
        "payment.partially_refunded",
        () => eventOf(merchant, "payment.partially_refunded"),
        (e) => e !== undefined,
      );
      expect(refundedEvent!.data.object).toMatchObject(figures);
    },
  );

  it("a wallet payment refunded in full: the merchant received nothing and the platform kept nothing", async () => {
    const paid = await authorizedWalletPayment(30_000);
    await call("POST", `/api/v1/payments/${paid.payment_id}/capture`, { token: paid.merchant.secret_key, body: { amount: 20_000 } });
    await settle(paid.wallet_id);
    const rest = await call("POST", `/api/v1/payments/${paid.payment_id}/refund`, {
      token: paid.merchant.secret_key,
      body: { reason: "all of it" },
    });
    expect(rest.body.data).toMatchObject({
      status: "refunded",
      amount: 30_000,
      captured_amount: 20_000,
      refunded_amount: 20_000,
      net_amount: 0,
      commission_amount: 0,
      merchant_amount: 0,
    });
    const voided = await authorizedWalletPayment(1_000);
    const read = await call("POST", `/api/v1/payments/${voided.payment_id}/void`, { token: voided.merchant.secret_key });
    expect(read.body.data).toMatchObject({ status: "voided", captured_amount: 0, net_amount: 0, commission_amount: 0, merchant_amount: 0 });
  });

  it("an answer recorded before merchant_amount existed is replayed with it, derived from its own figures", async () => {
    const paid = await authorizedWalletPayment(10_000);
    const token = paid.merchant.secret_key;
    const captureKey = { "Idempotency-Key": crypto.randomUUID() };
    const refundKey = { "Idempotency-Key": crypto.randomUUID() };
    const captured = await call("POST", `/api/v1/payments/${paid.payment_id}/capture`, { token, headers: captureKey, body: {} });
    await settle(paid.wallet_id);
    const refunded = await call("POST", `/api/v1/payments/${paid.payment_id}/refund`, {
      token,
      headers: refundKey,
      body: { amount: 1_000, reason: "r" },
    });
    const stub = env.PAYMENT.get(env.PAYMENT.idFromName(objectKeyOf(paid.payment_id, "payment")!));
    const stripped = await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE operations SET result = json_remove(result, '$.payment.merchant_amount') " +
          "WHERE json_extract(result, '$.payment.merchant_amount') IS NOT NULL",
      );
      state.storage.sql.exec(
        "UPDATE operations SET result = json_remove(result, '$.merchant_amount') " +
          "WHERE json_extract(result, '$.merchant_amount') IS NOT NULL",
      );
      return state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM operations WHERE result LIKE '%merchant_amount%'").one().n;
    });
    expect(stripped).toBe(0);
    const capturedAgain = await call("POST", `/api/v1/payments/${paid.payment_id}/capture`, { token, headers: captureKey, body: {} });
    expect(capturedAgain.headers.get("Idempotent-Replayed")).toBe("true");
    expect(capturedAgain.body).toEqual(captured.body);
    expect(capturedAgain.body.data).toMatchObject({ commission_amount: 250, merchant_amount: 9_750 });
    const refundedAgain = await call("POST", `/api/v1/payments/${paid.payment_id}/refund`, {
      token,
      headers: refundKey,
      body: { amount: 1_000, reason: "r" },
    });
    expect(refundedAgain.headers.get("Idempotent-Replayed")).toBe("true");
    expect(refundedAgain.body).toEqual(refunded.body);
    expect(refundedAgain.body.data).toMatchObject({ net_amount: 9_000, commission_amount: 225, merchant_amount: 8_775 });
  });

  it(
    "the index: rows written before it kept commission are backfilled by the migration, " + "and one it missed is read from its payment",
    async () => {
      const merchant = await newMerchant();
      const intent = await newIntent(merchant.secret_key, 10_000, "IQD");
      await payWithCard(intent);
      const payment_id = intent.id.replace("pi_", "pay_test_");
      await call("POST", `/api/v1/payments/${payment_id}/capture`, { token: merchant.secret_key, body: {} });
      await call("POST", `/api/v1/payments/${payment_id}/refund`, { token: merchant.secret_key, body: { amount: 3_001, reason: "r" } });
      const figures = {
        captured_amount: 10_000,
        refunded_amount: 3_001,
        net_amount: 6_999,
        commission_amount: 175,
        merchant_amount: 6_824,
      };
      await until(
        "the index",
        () => summaryOf(merchant, payment_id),
        (p) => p?.refunded_amount === 3_001,
      );
      const stored = async () =>
        (await env.DB.prepare("SELECT commission_amount FROM payments WHERE id = ?")
          .bind(payment_id)
          .first<{ commission_amount: number | null }>())!.commission_amount;
      expect(await stored()).toBe(175);

      // A row from before the column: the migration derives it from the merchant's rate (telescoped refunds).
      await env.DB.prepare("UPDATE payments SET commission_amount = NULL WHERE id = ?").bind(payment_id).run();
      const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0007_"))!;
      const backfill = migration.queries.filter((q) => q.includes("UPDATE `payments`"));
      expect(backfill).toHaveLength(1);
      await env.DB.prepare(backfill[0]!).run();
      expect(await stored()).toBe(175);

      // A row the migration could not fill (written by the previous version during a deploy): the list asks the payment.
      await env.DB.prepare("UPDATE payments SET commission_amount = NULL WHERE id = ?").bind(payment_id).run();
      expect(await summaryOf(merchant, payment_id)).toMatchObject(figures);
    },
  );
});

describe("tenancy", () => {
  it("hides another merchant's sessions, intents and payments, and sandbox ones from live keys", async () => {
    const { merchant, session, payment_id } = await authorizedWalletPayment(1_000);
    const intent = await newIntent(merchant.secret_key, 100);
    const stranger = await newMerchant();
    const live = await createKey(merchant, "secret", "live");
    for (const token of [stranger.secret_key, live.secret]) {
      for (const [method, path] of [
        ["GET", `/api/v1/checkout/sessions/${session.id}`],
        ["POST", `/api/v1/checkout/sessions/${session.id}/expire`],
        ["GET", `/api/v1/payment-intents/${intent.id}`],
        ["POST", `/api/v1/payment-intents/${intent.id}/cancel`],
        ["GET", `/api/v1/payments/${payment_id}`],
        ["POST", `/api/v1/payments/${payment_id}/capture`],
        ["POST", `/api/v1/payments/${payment_id}/void`],
        ["GET", `/api/v1/payments/${payment_id}/refunds`],
      ] as const) {
        const res = await call(method, path, { token, body: method === "POST" ? {} : undefined });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(JSON.stringify(res.body)).not.toContain("1042");
      }
    }
    // A buyer's client secret opens its own checkout only, not another id that routes to the same object.
    for (const alias of [session.id.replace("cs_test_", "cs_live_"), session.id.replace("cs_test_", "pi_")]) {
      const res = await payWithWallet({ id: alias, client_secret: session.client_secret });
      expect(res.status, alias).toBe(404);
    }
    // A session's id is not its intent's, nor its payment's.
    expect(
      (await call("GET", `/api/v1/payment-intents/${session.id.replace("cs_test_", "pi_")}`, { token: merchant.secret_key })).status,
    ).toBe(404);
    expect(
      (await call("GET", `/api/v1/payments/${session.id.replace("cs_test_", "pay_live_")}`, { token: merchant.secret_key })).status,
    ).toBe(404);
  });
});

describe("creating with an Idempotency-Key", () => {
  it("replays the same session, and refuses the key for another one", async () => {
    const { merchant, user_id } = await fundedUser(0);
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const body = {
      external_user_id: user_id,
      amount: 100,
      currency: "IQD",
      success_url: "https://s.example/",
      cancel_url: "https://c.example/",
    };
    const first = await call("POST", "/api/v1/checkout/sessions", { token: merchant.secret_key, headers, body });
    const again = await call("POST", "/api/v1/checkout/sessions", { token: merchant.secret_key, headers, body });
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    const other = await call("POST", "/api/v1/checkout/sessions", { token: merchant.secret_key, headers, body: { ...body, amount: 200 } });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
    const asIntent = await call("POST", "/api/v1/payment-intents", {
      token: merchant.secret_key,
      headers,
      body: { amount: 100, currency: "IQD", success_url: "https://s.example/", cancel_url: "https://c.example/" },
    });
    expect(asIntent.status).toBe(422);
  });
});
