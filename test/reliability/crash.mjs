// Crash: random money-moving traffic (now and then a burst of concurrent transfers) while the
// runtime is SIGKILLed again and again. Every answer is logged; a request whose answer was lost
// (the connection died, or a 5xx) is retried with the same Idempotency-Key and body until it has a
// definite one, as a careful client would. Then the model built from the answers must match what
// the wallets and payments hold, to the unit.
import { randomUUID } from "node:crypto";
import { chainProblems, client, pick, randomInt, sleep } from "./client.mjs";
import { effectBook } from "./events.mjs";

const TOP_UP = 1_000_000_000;
const USERS = 8;
const CLIENTS = 6;

/**
 * The client's view of what happened, from acknowledged answers only; `effects` keeps the id of
 * every effect and the event it must produce (the events part checks them).
 * @typedef {{ totals: Map<string, number>, holds: Map<string, { user: string, amount: number, status: string, captured: number }>,
 *   transfers: Map<string, { from: string, to: string, amount: number }>,
 *   payments: Map<string, { user: string, amount: number, captured: number, refunded: number, status: string }>,
 *   payouts: Map<string, { user: string, amount: number, status: string }>,
 *   effects: import("./events.mjs").EffectBook, acknowledged: number, retried: number, unknown_then_applied: number }} Model
 */

/** @param {ReturnType<typeof client>} api @param {string} sk @param {Model} model @param {() => boolean} running */
async function trafficLoop(api, sk, model, users, running) {
  /** Holds and payments this client placed and may still settle: no two clients touch one. */
  const mine = { holds: /** @type {string[]} */ ([]), payments: /** @type {string[]} */ ([]) };
  const auth = { authorization: `Bearer ${sk}` };
  while (running()) {
    const roll = Math.random();
    if (roll < 0.3 || (mine.holds.length === 0 && roll < 0.55)) {
      const user = pick(users);
      const amount = randomInt(1, 5_000);
      const res = await api.definite(
        "POST",
        "/api/v1/embedded/holds",
        { user_id: user, amount, currency: "IQD" },
        { ...auth, "idempotency-key": randomUUID() },
      );
      if (res.status === 201) {
        model.holds.set(res.body.data.id, { user, amount, status: "active", captured: 0 });
        model.effects.expect("hold.created", res.body.data.id);
        mine.holds.push(res.body.data.id);
      }
    } else if (roll < 0.55) {
      const id = /** @type {string} */ (mine.holds.shift());
      const hold = /** @type {NonNullable<ReturnType<typeof model.holds.get>>} */ (model.holds.get(id));
      const capture = Math.random() < 0.6;
      const amount = randomInt(1, hold.amount);
      const res = await api.definite(
        "POST",
        `/api/v1/embedded/holds/${id}/${capture ? "capture" : "release"}`,
        capture ? { amount } : undefined,
        { ...auth, "idempotency-key": randomUUID() },
      );
      if (res.status === 200) {
        hold.status = capture ? "captured" : "released";
        model.effects.expect(capture ? "hold.captured" : "hold.released", id);
        if (capture) {
          hold.captured = amount;
          model.totals.set(hold.user, /** @type {number} */ (model.totals.get(hold.user)) - amount);
        }
      }
    } else if (roll < 0.75) {
      const from = pick(users);
      const to = pick(users.filter((u) => u !== from));
      // Now and then a burst, a dozen at once between the same two users (each with its own key):
      // their credits' deliveries overlap, which once made each transfer's event several times.
      const burst = Math.random() < 0.1 ? 12 : 1;
      await Promise.all(Array.from({ length: burst }, () => transfer(api, auth, model, from, to)));
    } else if (roll < 0.82) {
      await checkoutFlow(api, auth, model, pick(users));
    } else if (roll < 0.88) {
      await payoutFlow(api, auth, model, pick(users));
    } else if (roll < 0.94) {
      await cardFlow(api, auth, model);
    } else {
      await topUpFlow(api, auth, model, pick(users));
    }
  }
}

/** A transfer between two users. */
async function transfer(api, auth, model, from, to) {
  const amount = randomInt(1, 5_000);
  const res = await api.definite(
    "POST",
    "/api/v1/embedded/transfers",
    { from_user_id: from, to_user_id: to, amount, currency: "IQD", reference: "crash" },
    { ...auth, "idempotency-key": randomUUID() },
  );
  if (res.status === 201 || res.status === 200) {
    model.transfers.set(res.body.data.id, { from, to, amount });
    model.effects.expect("transfer.completed", res.body.data.id);
    model.totals.set(from, /** @type {number} */ (model.totals.get(from)) - amount);
    model.totals.set(to, /** @type {number} */ (model.totals.get(to)) + amount);
  }
}

/** A checkout session paid from the buyer's wallet, captured in part, then refunded in part. */
async function checkoutFlow(api, auth, model, user) {
  const amount = randomInt(100, 20_000);
  const session = await api.definite(
    "POST",
    "/api/v1/checkout/sessions",
    { external_user_id: user, amount, currency: "IQD", success_url: "https://shop.example/ok", cancel_url: "https://shop.example/cancel" },
    { ...auth, "idempotency-key": randomUUID() },
  );
  if (session.status !== 201) return;
  const { id, client_secret } = session.body.data;
  model.effects.checkouts.add(id);
  // The buyer's pay has no key: a retry of a pay that did land is told the checkout is already paid.
  const paid = await api.definite("POST", `/checkout/${id}/pay`, { client_secret, method: "wallet", otp: "123456" });
  const authorized =
    (paid.status === 200 && paid.body.data.status === "authorized") || paid.body?.error?.code === "payment_already_completed";
  if (!authorized) return;
  const payment_id = id.replace(/^cs_test_/, "pay_test_");
  const payment = { user, amount, captured: 0, refunded: 0, status: "authorized" };
  model.payments.set(payment_id, payment);
  model.effects.expect("checkout.authorized", id);
  const capture = randomInt(1, amount);
  const captured = await api.definite(
    "POST",
    `/api/v1/payments/${payment_id}/capture`,
    { amount: capture },
    { ...auth, "idempotency-key": randomUUID() },
  );
  if (captured.status !== 200) return;
  payment.captured = capture;
  payment.status = "captured";
  model.effects.expect("payment.captured", payment_id);
  model.totals.set(user, /** @type {number} */ (model.totals.get(user)) - capture);
  if (Math.random() < 0.5) return;
  const refund = randomInt(1, capture);
  const refunded = await api.definite(
    "POST",
    `/api/v1/payments/${payment_id}/refund`,
    { amount: refund, reason: "crash test" },
    { ...auth, "idempotency-key": randomUUID() },
  );
  if (refunded.status !== 200 && refunded.status !== 201) return;
  payment.refunded = refund;
  payment.status = refund === capture ? "refunded" : "partially_refunded";
  model.effects.expect(refund === capture ? "payment.refunded" : "payment.partially_refunded", refunded.body.data.refund.id);
  model.totals.set(user, /** @type {number} */ (model.totals.get(user)) + refund);
}

/** A paid destination, and one the sandbox rail fails at once (account_closed). */
const PAYOUT_DESTINATIONS = [
  { type: "bank_account", iban: "IQ98NBIQ850123456789012", account_holder_name: "Crash Seller", fails: false },
  { type: "mobile_wallet", provider: "zaincash", phone: "+9647700000001", fails: true },
];

/**
 * A payout of a user's wallet, canceled now and then. Its money stays in the wallet (held) until
 * the rail pays it, which takes a business day of the sandbox clock; a failure or a cancel releases it.
 */
async function payoutFlow(api, auth, model, user) {
  const { fails, ...destination } = pick(PAYOUT_DESTINATIONS);
  const amount = randomInt(1, 5_000);
  const res = await api.definite(
    "POST",
    `/api/v1/embedded/users/${user}/payouts`,
    { amount, currency: "IQD", destination },
    { ...auth, "idempotency-key": randomUUID() },
  );
  if (res.status !== 201) return;
  const id = res.body.data.id;
  model.effects.payouts.add(id);
  const payout = { user, amount, status: fails ? "failed" : "pending" };
  model.payouts.set(id, payout);
  if (fails || Math.random() < 0.5) return;
  const canceled = await api.definite("POST", `/api/v1/payouts/${id}/cancel`, undefined, { ...auth, "idempotency-key": randomUUID() });
  if (canceled.status === 200) payout.status = "canceled";
}

/** Typed on the hosted page's API; none of it may be stored or logged (the scan at the end). */
export const TYPED_CVVS = ["913", "846"];
const CARDS = [
  { number: "4242 4242 4242 4242", approves: true },
  { number: "5555555555554444", approves: true },
  { number: "4000 0000 0000 9995", approves: false },
];

/** A payment intent paid by card (sometimes a declining one first), then captured in full. */
async function cardFlow(api, auth, model) {
  const amount = randomInt(100, 20_000);
  const intent = await api.definite(
    "POST",
    "/api/v1/payment-intents",
    { amount, currency: "IQD", success_url: "https://shop.example/ok", cancel_url: "https://shop.example/cancel" },
    { ...auth, "idempotency-key": randomUUID() },
  );
  if (intent.status !== 201) return;
  const { id, client_secret } = intent.body.data;
  // (A declining card's events are read from the intent's final state: a decline whose answer was
  // lost is sent again and declined again, a second counted attempt no answer acknowledges.)
  model.effects.checkouts.add(id);
  const card = pick(CARDS);
  const body = {
    client_secret,
    method: "card",
    card: { number: card.number, exp_month: 12, exp_year: 2034, cvc: pick(TYPED_CVVS), name: "Crash Test" },
  };
  const paid = await api.definite("POST", `/checkout/${id}/pay`, body);
  const authorized =
    (paid.status === 200 && paid.body.data.status === "authorized") || paid.body?.error?.code === "payment_already_completed";
  if (!authorized) return;
  const payment_id = `pay_test_${id.slice("pi_".length)}`;
  const payment = { user: null, amount, captured: 0, refunded: 0, status: "authorized" };
  model.payments.set(payment_id, payment);
  model.effects.expect("payment_intent.succeeded", id);
  const captured = await api.definite("POST", `/api/v1/payments/${payment_id}/capture`, {}, { ...auth, "idempotency-key": randomUUID() });
  if (captured.status !== 200) return;
  payment.captured = amount;
  payment.status = "captured";
  model.effects.expect("payment.captured", payment_id);
}

/**
 * A wallet top-up by card: captured the moment the card is approved, its amount credited to the
 * user's wallet once (the buyer pays the fee on top; the users are fully verified, so no limit refuses).
 */
async function topUpFlow(api, auth, model, user) {
  const amount = randomInt(100, 20_000);
  const body = {
    purpose: "wallet_top_up",
    external_user_id: user,
    amount,
    currency: "IQD",
    success_url: "https://shop.example/ok",
    cancel_url: "https://shop.example/cancel",
  };
  const intent = await api.definite("POST", "/api/v1/payment-intents", body, { ...auth, "idempotency-key": randomUUID() });
  if (intent.status !== 201) return;
  const { id, client_secret } = intent.body.data;
  model.effects.checkouts.add(id);
  const card = { number: "4242 4242 4242 4242", exp_month: 12, exp_year: 2034, cvc: pick(TYPED_CVVS), name: "Crash Test" };
  const paid = await api.definite("POST", `/checkout/${id}/pay`, { client_secret, method: "card", card });
  // A lost answer's retry finds the intent paid: the capture it started is then finished by the object's alarm.
  const authorized =
    (paid.status === 200 && paid.body.data.status === "authorized") || paid.body?.error?.code === "payment_already_completed";
  if (!authorized) return;
  const payment_id = `pay_test_${id.slice("pi_".length)}`;
  model.totals.set(user, /** @type {number} */ (model.totals.get(user)) + amount);
  model.effects.expect("payment_intent.succeeded", id);
  model.effects.expect("payment.captured", payment_id);
  model.effects.expect("wallet.topped_up", payment_id);
}

/**
 * @param {Awaited<ReturnType<typeof import("./runtime.mjs").persistentRuntime>>} runtime
 * @param {{ kills: number, merchant: { secret_key: string }, effects?: import("./events.mjs").EffectBook }} options
 *   `effects`: where the effects go (the merchant's book, shared with the other parts), a new one by default
 */
export async function crashPart(runtime, { kills, merchant, effects = effectBook("crash", merchant.secret_key) }) {
  const api = client(runtime);
  const sk = merchant.secret_key;
  const auth = { authorization: `Bearer ${sk}` };
  const users = Array.from({ length: USERS }, (_, i) => `crash_user_${i}`);
  for (const user of users) {
    effects.synced(
      await api.definite("POST", "/api/v1/embedded/users/sync", { external_id: user, full_name: user, kyc_level: "full" }, auth),
    );
    // (A top-up records no event.)
    await api.definite(
      "POST",
      `/api/v1/embedded/users/${user}/wallet/top-ups`,
      { amount: TOP_UP, currency: "IQD" },
      { ...auth, "idempotency-key": `crash-topup-${user}` },
    );
  }
  /** @type {Model} */
  const model = {
    totals: new Map(users.map((u) => [u, TOP_UP])),
    holds: new Map(),
    transfers: new Map(),
    payments: new Map(),
    payouts: new Map(),
    effects,
    acknowledged: 0,
    retried: 0,
    unknown_then_applied: 0,
  };

  let running = true;
  const loops = Array.from({ length: CLIENTS }, () => trafficLoop(api, sk, model, users, () => running));
  let killed = 0;
  for (let i = 0; i < kills; i++) {
    await sleep(randomInt(300, 1_500));
    api.down();
    killed += runtime.kill() > 0 ? 1 : 0;
    await runtime.restart();
    api.up();
  }
  running = false;
  await Promise.all(loops);

  const violations = await verify(api, auth, model, users);
  return {
    card_payments: [...model.payments.values()].filter((p) => p.user === null).length,
    kills: killed,
    restarts: runtime.restarts,
    acknowledged: api.stats.acknowledged,
    lost_answers_retried: api.stats.retried_requests,
    server_errors_seen: api.stats.server_errors,
    busy_answers_seen: api.stats.busy,
    holds: model.holds.size,
    transfers: model.transfers.size,
    payments: model.payments.size,
    payouts: model.payouts.size,
    ...violations,
  };
}

/** What the service holds against the model: every object, every wallet to the unit, every chain, the audit. */
async function verify(api, auth, model, users) {
  const out = {
    lost: 0,
    doubled: 0,
    wrong_state: 0,
    wallet_mismatches: 0,
    chains_broken: 0,
    outbox_pending: 0,
    audit_balanced: false,
    holds_consistent: false,
    details: /** @type {string[]} */ ([]),
  };
  const note = (line) => out.details.length < 20 && out.details.push(line);
  for (const [id, hold] of model.holds) {
    const res = await api.definite("GET", `/api/v1/embedded/holds/${id}`, undefined, auth);
    if (res.status === 404) out.lost++, note(`hold ${id} acknowledged but missing`);
    else if (res.body.data.status !== hold.status || (hold.status === "captured" && res.body.data.captured_amount !== hold.captured))
      out.wrong_state++,
        note(`hold ${id}: ${res.body.data.status}/${res.body.data.captured_amount} expected ${hold.status}/${hold.captured}`);
  }
  // Transfers finish through the outbox: wait for each to complete.
  for (const id of model.transfers.keys()) {
    let status = "";
    for (let i = 0; i < 100 && status !== "succeeded"; i++) {
      const res = await api.definite("GET", `/api/v1/embedded/transfers/${id}`, undefined, auth);
      if (res.status === 404) break;
      status = res.body.data.status;
      if (status !== "succeeded") await sleep(100);
    }
    if (status !== "succeeded") out.lost++, note(`transfer ${id} is ${status || "missing"}`);
  }
  for (const [id, payment] of model.payments) {
    const res = await api.definite("GET", `/api/v1/payments/${id}`, undefined, auth);
    const p = res.body?.data;
    if (res.status === 404) out.lost++, note(`payment ${id} missing`);
    else if (p.status !== payment.status || p.captured_amount !== payment.captured || p.refunded_amount !== payment.refunded) {
      out.wrong_state++;
      note(
        `payment ${id}: ${p.status} ${p.captured_amount}/${p.refunded_amount}, ` +
          `expected ${payment.status} ${payment.captured}/${payment.refunded}`,
      );
    }
  }
  // A payout's status as acknowledged; one the rail fails at once gets there a moment after its answer.
  for (const [id, payout] of model.payouts) {
    let p;
    for (let i = 0; i < 100; i++) {
      const res = await api.definite("GET", `/api/v1/payouts/${id}`, undefined, auth);
      if (res.status === 404) break;
      p = res.body.data;
      if (p.status === payout.status || (payout.status === "pending" && p.status === "in_transit")) break;
      await sleep(100);
    }
    if (!p) out.lost++, note(`payout ${id} acknowledged but missing`);
    // (Pending: the rail collects it ten minutes after its creation, by the clock the storm moved on.)
    else if ((p.status !== payout.status && !(payout.status === "pending" && p.status === "in_transit")) || p.amount !== payout.amount)
      out.wrong_state++, note(`payout ${id}: ${p.status} ${p.amount}, expected ${payout.status} ${payout.amount}`);
  }
  for (const user of users) {
    const res = await api.definite("GET", `/api/v1/embedded/users/${user}/wallet`, undefined, auth);
    const iqd = res.body.data.balances.find((b) => b.currency === "IQD");
    const total = iqd.available + iqd.held;
    const expected = /** @type {number} */ (model.totals.get(user));
    if (total !== expected) {
      out.wallet_mismatches++;
      if (total < expected) out.doubled++;
      else out.lost++;
      note(`wallet of ${user}: ${total}, expected ${expected}`);
    }
    const problems = await chainProblems(api, auth, user, res.body.data.wallet_id, iqd);
    if (problems) out.chains_broken++, note(`chain of ${user}: ${problems}`);
  }
  // Per currency (the traffic is IQD; USD must balance untouched), once every outbox has drained.
  for (let i = 0; i < 100; i++) {
    const audits = await Promise.all(
      ["IQD", "USD"].map(
        async (currency) => (await api.definite("GET", `/api/v1/ledger/audit?currency=${currency}`, undefined, auth)).body.data,
      ),
    );
    out.outbox_pending = audits.reduce((n, a) => n + a.outbox_pending, 0); // money in transit between wallets
    out.audit_balanced = audits.every((a) => a.balanced);
    out.holds_consistent = audits.every((a) => a.holds_consistent);
    if (out.outbox_pending === 0) {
      if (!out.audit_balanced) for (const a of audits.filter((x) => !x.balanced)) note(`audit ${JSON.stringify(a)}`);
      break;
    }
    await sleep(100);
  }
  return out;
}
