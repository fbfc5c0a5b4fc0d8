import { describe, expect, it } from "vitest";
import { cardBrand, cardProblem, passesLuhn, simulateAuthorization, summarizeCard, type CardInput } from "../../src/domain/card-simulator";
import {
  beginAttempt,
  cancelCheckout,
  expireCheckout,
  finishAttempt,
  MAX_ATTEMPTS,
  openCheckout,
  type CheckoutState,
} from "../../src/domain/checkout-machine";
import {
  beginCapture,
  beginRefund,
  beginVoid,
  captureRefusal,
  finishCapture,
  finishRefund,
  finishVoid,
  isDueForAutoVoid,
  merchantAmount,
  openPayment,
  refundCommission,
  refundRefusal,
  type PaymentState,
} from "../../src/domain/payment-machine";
import { CARD_PROBLEM_PARAMS } from "../../src/domain/card-simulator";

/** The payment rules as pure functions: no runtime, every branch. */
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const card = (number: string, extra: Partial<CardInput> = {}): CardInput => ({
  number,
  exp_month: 12,
  exp_year: 2027,
  cvc: "123",
  name: "A Buyer",
  ...extra,
});

describe("the sandbox card simulator", () => {
  it.each([
    ["4242 4242 4242 4242", true, undefined],
    ["5555-5555-5555-4444", true, undefined],
    ["4000000000009995", false, "51"],
    ["4000000000000069", false, "54"],
    ["4000000000000127", false, "N7"],
    ["4111111111111111", false, "05"],
  ])("answers %s", (number, approved, code) => {
    expect(cardProblem(card(number), NOW)).toBeNull();
    const decision = simulateAuthorization(card(number));
    expect(decision.approved).toBe(approved);
    if (!decision.approved) expect(decision.decline_code).toBe(code);
  });

  it("finds what is wrong with a mistyped card before asking the issuer", () => {
    expect(cardProblem(card("4242424242424241"), NOW)).toBe("invalid_number");
    expect(cardProblem(card("4242"), NOW)).toBe("invalid_number");
    expect(cardProblem(card("4242424242424242", { exp_month: 13 }), NOW)).toBe("invalid_expiry");
    expect(cardProblem(card("4242424242424242", { exp_month: 10, exp_year: 26 }), NOW)).toBe("expired_card");
    expect(cardProblem(card("4242424242424242", { exp_month: 11, exp_year: 26 }), NOW)).toBeNull();
    expect(cardProblem(card("4242424242424242", { cvc: "12" }), NOW)).toBe("invalid_cvc");
    expect(cardProblem(card("378282246310005", { cvc: "123" }), NOW)).toBe("invalid_cvc");
    expect(cardProblem(card("378282246310005", { cvc: "1234" }), NOW)).toBeNull();
    expect(cardProblem(card("4242424242424242", { name: "  " }), NOW)).toBe("invalid_name");
  });

  it("keeps brand, last 4 and expiry, never the number", () => {
    expect(passesLuhn("79927398713")).toBe(false);
    expect(passesLuhn("4242424242424242")).toBe(true);
    expect(cardBrand("5555555555554444")).toBe("mastercard");
    expect(cardBrand("2223003122003222")).toBe("mastercard");
    const summary = summarizeCard(card("4242 4242 4242 4242", { exp_year: 27 }), "fp");
    expect(summary).toEqual({ brand: "visa", last4: "4242", exp_month: 12, exp_year: 2027, fingerprint: "fp" });
    expect(JSON.stringify(summary)).not.toContain("42424242");
  });
});

function checkout(kind: "session" | "intent"): CheckoutState {
  return openCheckout({
    kind,
    id: "x",
    merchant_id: "m",
    merchant_name: "Shop",
    checkout_url: "https://pay/x",
    mode: "sandbox",
    amount: 10_000,
    currency: "IQD",
    description: null,
    metadata: {},
    success_url: "https://s",
    cancel_url: "https://c",
    client_secret: "cs",
    buyer: null,
    top_up: null,
    locale: "auto",
    now_ms: NOW,
  });
}
const payment = (amount = 10_000): PaymentState =>
  openPayment({ id: "pay", method: "wallet", amount, hold_id: "h", card: null, now_ms: NOW });

describe("the checkout machine", () => {
  it("authorizes on an approved attempt, once", () => {
    const started = beginAttempt(checkout("session"), "wallet");
    if (!started.ok) throw new Error(started.message);
    expect(beginAttempt(started.state, "wallet")).toMatchObject({ ok: false, code: "attempt_in_progress" });
    const done = finishAttempt(started.state, { approved: true, payment: payment() });
    expect(done.state.status).toBe("authorized");
    expect(done.events).toEqual(["checkout.authorized"]);
    expect(beginAttempt(done.state, "wallet")).toMatchObject({ ok: false, code: "payment_already_completed" });
    expect(expireCheckout(done.state, "merchant")).toMatchObject({ ok: false, code: "payment_already_completed" });
  });

  it("fails an intent after five declines, each recorded", () => {
    let state = checkout("intent");
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const started = beginAttempt(state, "card");
      if (!started.ok) throw new Error(started.message);
      const done = finishAttempt(started.state, { approved: false, decline_code: "51", counts: true });
      expect(done.events).toEqual(["payment_intent.payment_failed"]);
      state = done.state;
    }
    expect(state).toMatchObject({ status: "failed", failed_attempts: 5, closed_reason: "too_many_attempts" });
    expect(beginAttempt(state, "card")).toMatchObject({ ok: false, code: "checkout_not_open" });
  });

  it("lets a session retry after insufficient funds, but not guess the code forever", () => {
    let state = checkout("session");
    const step = (counts: boolean) => {
      const started = beginAttempt(state, "wallet");
      if (!started.ok) throw new Error(started.message);
      state = finishAttempt(started.state, { approved: false, decline_code: counts ? "invalid_otp" : "insufficient_funds", counts }).state;
    };
    for (let i = 0; i < 10; i++) step(false);
    expect(state).toMatchObject({ status: "open", failed_attempts: 0 });
    for (let i = 0; i < MAX_ATTEMPTS; i++) step(true);
    expect(state).toMatchObject({ status: "canceled", closed_reason: "too_many_attempts" });
  });

  it("expires and cancels only what is open, with the event for its kind", () => {
    expect(expireCheckout(checkout("session"), "deadline")).toMatchObject({ state: { status: "expired" }, events: ["checkout.expired"] });
    expect(cancelCheckout(checkout("session"), "buyer")).toMatchObject({ state: { status: "canceled" }, events: ["checkout.canceled"] });
    expect(cancelCheckout(checkout("intent"), "merchant")).toMatchObject({
      state: { status: "canceled" },
      events: ["payment_intent.canceled"],
    });
    const expired = expireCheckout(checkout("intent"), "deadline");
    if (!expired.ok) throw new Error(expired.message);
    expect(cancelCheckout(expired.state, "merchant")).toMatchObject({ ok: false, code: "checkout_not_open" });
  });
});

describe("the payment machine", () => {
  function captured(amount: number, bps = 250): PaymentState {
    const begun = beginCapture(payment(amount), amount, bps, NOW);
    if (!begun.ok) throw new Error(begun.message);
    return finishCapture(begun.payment, { amount, commission: begun.commission, commission_bps: bps }, NOW).payment;
  }

  it("captures at most what was authorized, once, within 7 days", () => {
    expect(beginCapture(payment(), 10_001, 250, NOW)).toMatchObject({ ok: false, code: "amount_exceeds_authorization" });
    // Whatever a client sends, the machine takes only a positive whole number of minor units.
    for (const amount of [0, -5, 1.5, Number.NaN]) {
      expect(beginCapture(payment(), amount, 250, NOW)).toMatchObject({ ok: false, code: "parameter_invalid", param: "amount" });
    }
    expect(beginCapture(payment(), undefined, 250, NOW + 7 * 86_400_000)).toMatchObject({ ok: false, code: "payment_not_capturable" });
    const begun = beginCapture(payment(), 6_000, 250, NOW);
    if (!begun.ok) throw new Error(begun.message);
    expect(begun).toMatchObject({ amount: 6_000, commission: 150 });
    expect(beginVoid(begun.payment)).toMatchObject({ ok: false, code: "payment_in_progress" });
    const done = finishCapture(begun.payment, { amount: 6_000, commission: 150, commission_bps: 250 }, NOW);
    expect(done).toMatchObject({
      payment: { status: "captured", captured_amount: 6_000, commission_amount: 150, pending: null },
      events: ["payment.captured"],
    });
    expect(beginCapture(done.payment, 1, 250, NOW)).toMatchObject({ ok: false, code: "payment_not_capturable" });
    // A capture whose wallet step was refused leaves the payment authorized.
    expect(finishCapture(begun.payment, null, NOW).payment).toMatchObject({ status: "authorized", pending: null });
  });

  it("voids, or expires after 7 days", () => {
    const begun = beginVoid(payment());
    if (!begun.ok) throw new Error(begun.message);
    expect(finishVoid(begun.payment, "void")).toMatchObject({ payment: { status: "voided" }, events: ["payment.voided"] });
    expect(isDueForAutoVoid(payment(), NOW + 7 * 86_400_000 - 1)).toBe(false);
    expect(isDueForAutoVoid(payment(), NOW + 7 * 86_400_000)).toBe(true);
    expect(finishVoid(payment(), "deadline")).toMatchObject({ payment: { status: "expired" }, events: ["payment.expired"] });
  });

  it("returns the commission on refunds as the guide's worked example says", () => {
    let p = captured(30_000);
    expect(p.commission_amount).toBe(750);
    const first = beginRefund(p, 10_000, NOW);
    if (!first.ok) throw new Error(first.message);
    const back1 = refundCommission(first.payment, 10_000);
    expect(back1).toBe(250);
    p = finishRefund(first.payment, { amount: 10_000, commission_returned: back1 }).payment;
    expect(p).toMatchObject({ status: "partially_refunded", refunded_amount: 10_000, commission_amount: 500 });
    const rest = beginRefund(p, undefined, NOW);
    if (!rest.ok) throw new Error(rest.message);
    expect(rest.amount).toBe(20_000);
    const back2 = refundCommission(rest.payment, 20_000);
    expect(back2).toBe(500);
    p = finishRefund(rest.payment, { amount: 20_000, commission_returned: back2 }).payment;
    expect(p).toMatchObject({ status: "refunded", refunded_amount: 30_000, commission_amount: 0 });
    expect(beginRefund(p, 1, NOW)).toMatchObject({ ok: false, code: "payment_not_refundable" });
  });

  it("says what the merchant received at every step, and stores no change that breaks its bounds", () => {
    let p = captured(30_000);
    expect(merchantAmount(p)).toBe(29_250);
    for (const amount of [10_000, 7_001, 12_999]) {
      const begun = beginRefund(p, amount, NOW);
      if (!begun.ok) throw new Error(begun.message);
      p = finishRefund(begun.payment, { amount, commission_returned: refundCommission(begun.payment, amount) }).payment;
      expect(merchantAmount(p) + p.commission_amount + p.refunded_amount).toBe(p.captured_amount);
      expect(p.commission_amount).toBe(Math.floor(((p.captured_amount - p.refunded_amount) * 250 + 5_000) / 10_000));
    }
    expect(p).toMatchObject({ status: "refunded", commission_amount: 0 });
    expect(merchantAmount(p)).toBe(0);
    // A refund said to return more commission than the platform kept, or a capture whose
    // commission exceeds it, is a bug: it throws rather than being stored.
    const q = captured(10_000);
    const begun = beginRefund(q, 1_000, NOW);
    if (!begun.ok) throw new Error(begun.message);
    expect(() => finishRefund(begun.payment, { amount: 1_000, commission_returned: 251 })).toThrow(/commission -1 outside/);
    expect(() => finishRefund(begun.payment, { amount: 1_000, commission_returned: -9_001 })).toThrow(/commission 9251 outside 0..9000/);
    const capturing = beginCapture(payment(), 100, 250, NOW);
    if (!capturing.ok) throw new Error(capturing.message);
    expect(() => finishCapture(capturing.payment, { amount: 100, commission: 101, commission_bps: 250 }, NOW)).toThrow(
      /commission 101 outside 0..100/,
    );
    expect(() => finishCapture(capturing.payment, { amount: 100, commission: 2.5, commission_bps: 250 }, NOW)).toThrow(/not an integer/);
  });

  it("counts refunds under way against what is left, and frees a failed one", () => {
    let p = captured(10_000);
    let accepted = 0;
    for (let i = 0; i < 50; i++) {
      const r = beginRefund(p, 300, NOW);
      if (!r.ok) expect(r.code).toBe("amount_exceeds_refundable");
      else {
        p = r.payment;
        accepted++;
      }
    }
    expect(accepted).toBe(33);
    p = finishRefund(p, { amount: 300, failed: true }).payment;
    expect(p.refunding_amount).toBe(32 * 300);
    expect(beginRefund(p, 300, NOW)).toMatchObject({ ok: true });
  });

  it("refuses refunds past the 90-day window", () => {
    const p = captured(5_000);
    expect(beginRefund(p, 100, NOW + 90 * 86_400_000)).toMatchObject({ ok: true });
    expect(beginRefund(p, 100, NOW + 90 * 86_400_000 + 1)).toMatchObject({ ok: false, code: "refund_window_expired" });
  });

  it("refuses a refund of nothing, or of a part of a minor unit", () => {
    for (const amount of [0, -1, 0.5]) {
      expect(beginRefund(captured(5_000), amount, NOW)).toMatchObject({ ok: false, code: "parameter_invalid", param: "amount" });
    }
  });

  it("returns exactly the original commission over any split of refunds", () => {
    for (const [amount, parts] of [
      [10_001, [1, 3_333, 6_667]],
      [99_999, [50_000, 49_999]],
      [7, [1, 1, 1, 1, 1, 1, 1]],
    ] as const) {
      let p = captured(amount);
      const original = p.commission_amount;
      let returned = 0;
      for (const part of parts) {
        const r = beginRefund(p, part, NOW);
        if (!r.ok) throw new Error(r.message);
        const back = refundCommission(r.payment, part);
        returned += back;
        p = finishRefund(r.payment, { amount: part, commission_returned: back }).payment;
      }
      expect(returned, `${amount} in ${parts.join("+")}`).toBe(original);
      expect(p.commission_amount).toBe(0);
    }
  });
});

describe("a step's result, as the merchant's answer", () => {
  it("a capture: made, past the merchant's bound, or no longer held", () => {
    expect(captureRefusal({ kind: "done" })).toBeNull();
    expect(captureRefusal({ kind: "refused", code: "balance_limit_exceeded", message: "past the bound" })).toEqual({
      ok: false,
      code: "balance_limit_exceeded",
      message: "past the bound",
    });
    expect(captureRefusal({ kind: "refused", code: "hold_not_active", message: "gone" })).toEqual({
      ok: false,
      code: "payment_not_capturable",
      message: "gone",
    });
    expect(captureRefusal({ kind: "refused", code: "not_found", message: "gone" })?.code).toBe("payment_not_capturable");
    expect(captureRefusal({ kind: "authorized" })).toEqual({ ok: false, code: "payment_not_capturable", message: "The capture failed." });
  });

  it("a refund: made, or refused for the settlement balance, naming the amount", () => {
    expect(refundRefusal({ kind: "refunded", commission_returned: 5 })).toBeNull();
    expect(refundRefusal({ kind: "refused", code: "insufficient_funds", message: "short" })).toEqual({
      ok: false,
      code: "insufficient_funds",
      message: "short",
      param: "amount",
    });
    expect(refundRefusal({ kind: "done" })).toEqual({
      ok: false,
      code: "insufficient_funds",
      message: "The refund failed.",
      param: "amount",
    });
  });

  it("a mistyped card names the field to fix", () => {
    expect(CARD_PROBLEM_PARAMS).toEqual({
      invalid_number: "card.number",
      invalid_expiry: "card.exp_month",
      expired_card: "card.exp_month",
      invalid_cvc: "card.cvc",
      invalid_name: "card.name",
    });
  });
});
