// Idempotency storm: on every money-moving route (payouts included), 1,000 requests with one Idempotency-Key and one
// body, 20 at a time → one effect and byte-identical answers; then the same key with another body
// → 422 idempotency_key_reused every time, again after the sandbox clock passes the 24-hour
// retention of registry keys. And a second storm per route across a crash: the runtime SIGKILLed
// while the storm is in flight (the worst 5xx: no answer at all) and restarted on the same data;
// the unanswered requests are sent again with their key, and it must still be one effect, one
// answer, and 422 for another body. Each storm's one effect, and its setup's, is noted with the
// event it must produce, for the events part.
import { randomUUID } from "node:crypto";
import { randomInt, sleep } from "./client.mjs";
import { effectBook } from "./events.mjs";

const STORM = 1_000;
const CRASH_STORM = 200;
const AT_ONCE = 20;
const REUSES = 20;
/** Paid by the sandbox rail a business day later (the sandbox clock moves past it at the end). */
const PAYOUT_DESTINATION = { type: "bank_account", iban: "IQ98NBIQ850123456789012", account_holder_name: "Storm Seller" };

/**
 * @param {ReturnType<typeof import("./client.mjs").client>} api
 * @param {Awaited<ReturnType<typeof import("./runtime.mjs").persistentRuntime>>} runtime
 * @param {{ secret_key: string }} merchant
 * @param {{ storm?: number, effects?: import("./events.mjs").EffectBook }} [options] `effects`: where each storm's one
 *   effect, and its setup's, is noted with the event it must produce (the events part checks them)
 */
export async function stormPart(api, runtime, merchant, { storm = STORM, effects = effectBook("storm", merchant.secret_key) } = {}) {
  const auth = { authorization: `Bearer ${merchant.secret_key}` };
  const run = randomUUID().slice(0, 8);
  let users = 0;
  const user = async (name, amount, kyc_level = "none") => {
    const id = `storm_${run}_${name}_${++users}`;
    effects.synced(await api.definite("POST", "/api/v1/embedded/users/sync", { external_id: id, full_name: id, kyc_level }, auth));
    // (A top-up records no event.)
    if (amount)
      await api.definite(
        "POST",
        `/api/v1/embedded/users/${id}/wallet/top-ups`,
        { amount, currency: "IQD" },
        { ...auth, "idempotency-key": `${id}-funds` },
      );
    return id;
  };
  const wallet = async (id) => {
    const res = await api.definite("GET", `/api/v1/embedded/users/${id}/wallet`, undefined, auth);
    const iqd = res.body.data.balances.find((b) => b.currency === "IQD");
    return { available: iqd.available, held: iqd.held };
  };
  const post = (path, body, key) => api.definite("POST", path, body, { ...auth, "idempotency-key": key });
  /** A hold placed for a setup: its hold.created is an effect too. */
  const hold = async (user_id, amount) => {
    const res = await post("/api/v1/embedded/holds", { user_id, amount, currency: "IQD" }, randomUUID());
    effects.expect("hold.created", res.body.data.id);
    return res.body.data.id;
  };
  /** A session paid from the wallet for a setup: checkout.authorized (its payment's hold records none). */
  const paidSession = async (user_id, amount) => {
    const session = await post(
      "/api/v1/checkout/sessions",
      { external_user_id: user_id, amount, currency: "IQD", success_url: "https://shop.example/ok", cancel_url: "https://shop.example/no" },
      randomUUID(),
    );
    const { id, client_secret } = session.body.data;
    effects.checkouts.add(id);
    const paid = await api.definite("POST", `/checkout/${id}/pay`, { client_secret, method: "wallet", otp: "123456" });
    if (paid.status === 200 && paid.body.data.status === "authorized") effects.expect("checkout.authorized", id);
    return id.replace(/^cs_test_/, "pay_test_");
  };

  /**
   * `events`: the event the storm's one effect must produce, given its answer's data (a top-up
   * and a new session produce none; a session may later expire, read from its final state).
   * @type {{
   *   route: string,
   *   setup: () => Promise<any>,
   *   path: (s: any) => string,
   *   body: (s: any) => any,
   *   other: (s: any) => any,
   *   effect: (s: any, first: any) => Promise<string | null>,
   *   events: (s: any, data: any) => void,
   * }[]}
   */
  const routes = [
    {
      route: "POST /embedded/users/{id}/wallet/top-ups",
      setup: async () => ({ user: await user("topup", 0) }),
      path: (s) => `/api/v1/embedded/users/${s.user}/wallet/top-ups`,
      body: () => ({ amount: 700, currency: "IQD" }),
      other: () => ({ amount: 701, currency: "IQD" }),
      effect: async (s) => ((await wallet(s.user)).available === 700 ? null : `balance ${(await wallet(s.user)).available}, expected 700`),
      events: () => {},
    },
    {
      route: "POST /embedded/holds",
      setup: async () => ({ user: await user("hold", 10_000) }),
      path: () => "/api/v1/embedded/holds",
      body: (s) => ({ user_id: s.user, amount: 300, currency: "IQD" }),
      other: (s) => ({ user_id: s.user, amount: 301, currency: "IQD" }),
      effect: async (s) => ((await wallet(s.user)).held === 300 ? null : `held ${(await wallet(s.user)).held}, expected 300`),
      events: (_s, data) => effects.expect("hold.created", data.id),
    },
    {
      route: "POST /embedded/holds/{id}/capture",
      setup: async () => {
        const u = await user("capture", 10_000);
        return { user: u, hold: await hold(u, 500) };
      },
      path: (s) => `/api/v1/embedded/holds/${s.hold}/capture`,
      body: () => ({ amount: 200 }),
      other: () => ({ amount: 201 }),
      effect: async (s) => {
        const w = await wallet(s.user);
        return w.available === 9_800 && w.held === 0 ? null : `wallet ${w.available}/${w.held}, expected 9800/0`;
      },
      events: (s) => effects.expect("hold.captured", s.hold),
    },
    {
      route: "POST /embedded/transfers",
      setup: async () => ({ from: await user("from", 10_000), to: await user("to", 0) }),
      path: () => "/api/v1/embedded/transfers",
      body: (s) => ({ from_user_id: s.from, to_user_id: s.to, amount: 400, currency: "IQD" }),
      other: (s) => ({ from_user_id: s.from, to_user_id: s.to, amount: 401, currency: "IQD" }),
      effect: async (s) => {
        for (let i = 0; i < 50; i++) {
          const [from, to] = [await wallet(s.from), await wallet(s.to)];
          if (from.available === 9_600 && to.available === 400) return null;
          await new Promise((r) => setTimeout(r, 100));
        }
        return `from ${(await wallet(s.from)).available}, to ${(await wallet(s.to)).available}, expected 9600 and 400`;
      },
      events: (_s, data) => effects.expect("transfer.completed", data.id),
    },
    {
      route: "POST /checkout/sessions",
      setup: async () => ({ user: await user("session", 0) }),
      path: () => "/api/v1/checkout/sessions",
      body: (s) => ({
        external_user_id: s.user,
        amount: 900,
        currency: "IQD",
        success_url: "https://shop.example/ok",
        cancel_url: "https://shop.example/no",
      }),
      other: (s) => ({
        external_user_id: s.user,
        amount: 901,
        currency: "IQD",
        success_url: "https://shop.example/ok",
        cancel_url: "https://shop.example/no",
      }),
      effect: async () => null, // one session: every answer named the same id (the bodies were identical)
      events: (_s, data) => effects.checkouts.add(data.id),
    },
    {
      route: "POST /embedded/users/{id}/payouts",
      setup: async () => ({ user: await user("payout", 10_000, "full") }),
      path: (s) => `/api/v1/embedded/users/${s.user}/payouts`,
      body: () => ({ amount: 300, currency: "IQD", destination: PAYOUT_DESTINATION }),
      other: () => ({ amount: 301, currency: "IQD", destination: PAYOUT_DESTINATION }),
      effect: async (s) => {
        const w = await wallet(s.user);
        return w.available === 9_700 && w.held === 300 ? null : `wallet ${w.available}/${w.held}, expected 9700/300`;
      },
      events: (_s, data) => effects.payouts.add(data.id),
    },
    ...["capture", "refund"].map((step) => ({
      route: `POST /payments/{id}/${step}`,
      setup: async () => {
        const u = await user(`pay_${step}`, 10_000);
        const payment = await paidSession(u, 1_000);
        if (step === "refund" && (await post(`/api/v1/payments/${payment}/capture`, { amount: 1_000 }, randomUUID())).status === 200)
          effects.expect("payment.captured", payment);
        return { user: u, payment };
      },
      path: (s) => `/api/v1/payments/${s.payment}/${step}`,
      body: () => (step === "capture" ? { amount: 600 } : { amount: 250, reason: "storm" }),
      other: () => (step === "capture" ? { amount: 601 } : { amount: 251, reason: "storm" }),
      effect: async (s) => {
        const p = (await api.definite("GET", `/api/v1/payments/${s.payment}`, undefined, auth)).body.data;
        const ok = step === "capture" ? p.captured_amount === 600 : p.refunded_amount === 250;
        return ok ? null : `payment ${p.status} captured ${p.captured_amount} refunded ${p.refunded_amount}`;
      },
      // 600 of 1,000 captured; 250 of 1,000 refunded: a partial refund.
      events: (s, data) =>
        step === "capture" ? effects.expect("payment.captured", s.payment) : effects.expect("payment.partially_refunded", data.refund.id),
    })),
  ];

  /**
   * The storm itself: `total` requests with one key and body, AT_ONCE in flight; the answers by
   * their exact text. With `crashAt`, the runtime is killed once that many answers are in (0: as
   * the first requests go out) and restarted; the requests it cut off are sent again unchanged.
   */
  const stormOf = async (r, s, key, total, crashAt) => {
    /** @type {Map<string, number>} */
    const bodies = new Map();
    let sent = 0;
    let answered = 0;
    /** @type {Promise<void> | undefined} */
    let crashed;
    const crash = async () => {
      api.down();
      runtime.kill();
      await runtime.restart();
      api.up();
    };
    const worker = async () => {
      while (sent < total) {
        sent++;
        const res = await post(r.path(s), r.body(s), key);
        const shape = `${res.status} ${res.text}`;
        bodies.set(shape, (bodies.get(shape) ?? 0) + 1);
        if (++answered === crashAt) crashed = crash();
      }
    };
    const workers = Array.from({ length: AT_ONCE }, worker);
    if (crashAt === 0) crashed = sleep(2).then(crash);
    await Promise.all(workers);
    await crashed;
    return bodies;
  };

  const results = [];
  for (const r of routes) {
    for (const leg of ["steady", "across a crash"]) {
      const s = await r.setup();
      const key = `storm-${randomUUID()}`;
      const lostBefore = api.stats.retried_requests;
      // Killed with 20 in flight: sometimes before the first is done, mostly after some answers.
      const bodies = leg === "steady" ? await stormOf(r, s, key, storm) : await stormOf(r, s, key, CRASH_STORM, randomInt(0, 40));
      // (A repeat told 409, the key's first request still running, is sent again by the client.)
      // Every answer must be the one first answer, byte for byte.
      const answers = [...bodies.keys()];
      const effect =
        answers.length === 1 && /^20[01] /.test(answers[0] ?? "")
          ? await r.effect(s)
          : `answers: ${answers.map((a) => a.slice(0, 120)).join(" | ")}`;
      const first = answers[0] ?? "";
      if (/^20[01] /.test(first)) r.events(s, JSON.parse(first.slice(4)).data);
      let reused_ok = 0;
      for (let i = 0; i < REUSES; i++) {
        const res = await post(r.path(s), r.other(s), key);
        if (res.status === 422 && res.body?.error?.code === "idempotency_key_reused") reused_ok++;
      }
      const requests = leg === "steady" ? storm : CRASH_STORM;
      results.push({
        route: r.route,
        leg,
        s,
        key,
        requests,
        resent_after_no_answer: api.stats.retried_requests - lostBefore,
        distinct_answers: answers.length,
        effect_problem: effect,
        reuse_refused: reused_ok,
        reuse_tries: REUSES,
        r,
      });
    }
  }

  // Past the 24-hour retention of registry keys: money keys are kept for good, so still 422.
  await api.definite("POST", "/api/v1/sandbox/clock", { advance_seconds: 25 * 3600 }, { ...auth, "idempotency-key": randomUUID() });
  for (const x of results) {
    const res = await post(x.r.path(x.s), x.r.other(x.s), x.key);
    x.refused_after_25h = res.status === 422 && res.body?.error?.code === "idempotency_key_reused";
  }
  const per_route = results.map(({ r: _r, s: _s, key: _k, ...rest }) => rest);
  const violations = per_route.reduce(
    (n, x) =>
      n +
      (x.distinct_answers === 1 ? 0 : 1) +
      (x.effect_problem ? 1 : 0) +
      (x.reuse_tries - x.reuse_refused) +
      (x.refused_after_25h ? 0 : 1),
    0,
  );
  return {
    routes: routes.length,
    storms: per_route.length,
    kills: per_route.filter((x) => x.leg !== "steady").length,
    requests: per_route.reduce((n, x) => n + x.requests, 0),
    violations,
    per_route,
  };
}
