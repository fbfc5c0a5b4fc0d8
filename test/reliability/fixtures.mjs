// The objects a merchant has after a day of business, made through the public API: two funded
// users, a hold, a transfer, a payout, an open and a paid session, a captured and partly refunded payment, an
// intent, a webhook endpoint and an event. The tenancy matrix and the fuzz act on them.
import { randomUUID } from "node:crypto";
import { seedMerchant } from "../../bench/seed.mjs";

/**
 * Where the fixtures' webhook endpoints point: a sandbox may use loopback, and nothing listens on
 * the discard port, so each delivery fails at once and is dead-lettered within seconds (the test
 * schedule). A receiver that never answers would hold delivery batches for 15 s each.
 */
export const UNREACHABLE_RECEIVER = "http://127.0.0.1:9/hooks";

/** Put into every object's text fields: finding it in a refusal is a leak. */
export const MARKER = `tenancy-marker-${randomUUID().slice(0, 8)}`;

/** A merchant through the public API (bench/seed.mjs), and a way to add keys to it. */
export async function merchantWithKeys(api, seeding, label) {
  const merchant = await seedMerchant(seeding, label);
  const jwt = { authorization: `Bearer ${merchant.access_token}` };
  const key = async (type, mode) =>
    (await api.definite("POST", `/api/v1/merchants/${merchant.merchant_id}/api-keys`, { type, mode }, jwt)).body.data;
  return { id: merchant.merchant_id, secret_key: merchant.secret_key, publishable_key: merchant.publishable_key, jwt, key };
}

/** @param {ReturnType<typeof import("./client.mjs").client>} api */
export async function objectsOf(api, owner) {
  const auth = { authorization: `Bearer ${owner.secret_key}` };
  const post = async (path, body) => (await api.definite("POST", path, body, { ...auth, "idempotency-key": randomUUID() })).body.data;
  const user = `tenant_${randomUUID().slice(0, 8)}`;
  const other = `${user}_b`;
  for (const u of [user, other]) {
    await post("/api/v1/embedded/users/sync", {
      external_id: u,
      full_name: `${MARKER} ${u}`,
      email: `${u}@example.com`,
      metadata: { note: MARKER },
      kyc_level: "full",
    });
    await post(`/api/v1/embedded/users/${u}/wallet/top-ups`, { amount: 1_000_000, currency: "IQD" });
  }
  const hold = await post("/api/v1/embedded/holds", { user_id: user, amount: 1_234, currency: "IQD", reference: MARKER });
  const transfer = await post("/api/v1/embedded/transfers", {
    from_user_id: user,
    to_user_id: other,
    amount: 77,
    currency: "IQD",
    reference: MARKER,
  });
  const checkout = {
    external_user_id: user,
    amount: 4_321,
    currency: "IQD",
    description: MARKER,
    success_url: "https://shop.example/ok",
    cancel_url: "https://shop.example/no",
    metadata: { note: MARKER },
  };
  const open_session = await post("/api/v1/checkout/sessions", checkout);
  const paid_session = await post("/api/v1/checkout/sessions", checkout);
  await api.definite("POST", `/checkout/${paid_session.id}/pay`, {
    client_secret: paid_session.client_secret,
    method: "wallet",
    otp: "123456",
  });
  const payment = paid_session.id.replace(/^cs_test_/, "pay_test_");
  await post(`/api/v1/payments/${payment}/capture`, { amount: 4_000 });
  await post(`/api/v1/payments/${payment}/refund`, { amount: 100, reason: MARKER });
  for (let i = 0; i < 100; i++) {
    const status = (await api.definite("GET", `/api/v1/embedded/transfers/${transfer.id}`, undefined, auth)).body.data.status;
    if (status === "succeeded") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const intent = await post("/api/v1/payment-intents", {
    amount: 999,
    currency: "IQD",
    description: MARKER,
    success_url: "https://shop.example/ok",
    cancel_url: "https://shop.example/no",
  });
  const payout = await post(`/api/v1/embedded/users/${user}/payouts`, {
    amount: 2_468,
    currency: "IQD",
    description: MARKER,
    metadata: { note: MARKER },
    destination: { type: "bank_account", iban: "IQ98NBIQ850123456789012", account_holder_name: MARKER },
  });
  const endpoint = await post("/api/v1/webhook-endpoints", { url: UNREACHABLE_RECEIVER, events: ["*"], description: MARKER });
  let event;
  for (let i = 0; i < 100 && !event; i++) {
    event = (await api.definite("GET", "/api/v1/events?type=payment.captured", undefined, auth)).body.data.events[0];
    if (!event) await new Promise((r) => setTimeout(r, 100));
  }
  return {
    user,
    other,
    hold: hold.id,
    transfer: transfer.id,
    open_session: open_session.id,
    open_session_secret: open_session.client_secret,
    payment,
    intent: intent.id,
    intent_secret: intent.client_secret,
    payout: payout.id,
    endpoint: endpoint.id,
    event: event?.id,
  };
}
