import { describe, expect, it } from "vitest";
import { ibanOf, ibanProblem } from "../../src/domain/iban";
import {
  cancelPayout,
  holdRefused,
  isShown,
  moveDone,
  nextRailAt,
  openPayout,
  railDue,
  type PayoutState,
} from "../../src/domain/payout-machine";
import { oneBusinessDayAfter, RAIL_PICKUP_MS, RETURN_AFTER_MS, sandboxRailPlan, TEST_PHONES } from "../../src/domain/sandbox-rail";

/** The payout's pure parts, without a runtime: IBAN check digits, business days, the rail's plan and the machine. */
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe("IBANs", () => {
  it("takes the published Iraqi example and its spaced, small-letter form", () => {
    expect(ibanProblem("IQ98NBIQ850123456789012")).toBeNull();
    expect(ibanOf("IQ", "NBIQ850123456789012")).toBe("IQ98NBIQ850123456789012");
    expect(ibanProblem("GB82WEST12345698765432")).toBeNull();
  });

  it.each([
    ["one digit mistyped", "IQ98NBIQ850123456789013", "check digits"],
    ["two digits swapped", "IQ98NBIQ850123456789021", "check digits"],
    ["an Iraqi IBAN of 22 characters", ibanOf("IQ", "NBIQ85012345678901"), "23 characters"],
    ["not the shape of one", "IQ98-NBIQ", "two letters"],
  ])("refuses %s", (_label, iban, words) => {
    expect(ibanProblem(iban)).toContain(words);
  });
});

describe("one business day in Baghdad", () => {
  // 2026-12-02 is a Wednesday. Baghdad is UTC+3 all year; its weekend is Friday and Saturday.
  const at = (iso: string) => Date.parse(iso);
  it.each([
    ["Wednesday noon", "2026-12-02T09:00:00Z", "2026-12-03T09:00:00Z"],
    ["Thursday noon: past the weekend", "2026-12-03T09:00:00Z", "2026-12-06T09:00:00Z"],
    ["Friday noon", "2026-12-04T09:00:00Z", "2026-12-06T09:00:00Z"],
    ["Saturday noon", "2026-12-05T09:00:00Z", "2026-12-06T09:00:00Z"],
    ["Wednesday 22:00 UTC, already Thursday in Baghdad", "2026-12-02T22:00:00Z", "2026-12-05T22:00:00Z"],
  ])("%s arrives on the next business day", (_label, from, to) => {
    expect(new Date(oneBusinessDayAfter(at(from))).toISOString()).toBe(new Date(at(to)).toISOString());
  });
});

function opened(phone = "+9647701234567", created_at_ms = Date.parse("2026-12-02T09:00:00Z")): PayoutState {
  const destination = { type: "mobile_wallet" as const, provider: "zaincash" as const, phone };
  return openPayout({
    id: "po_test_0000000000000000",
    merchant_id: "m",
    mode: "sandbox",
    amount: 1_000,
    currency: "IQD",
    wallet_id: "wal_x",
    user_id: "u",
    hold_id: "hld_x",
    destination,
    description: null,
    metadata: {},
    rail: sandboxRailPlan(destination, created_at_ms),
    created_at_ms,
  }).state;
}

describe("the sandbox rail's plan", () => {
  it("a paid payout: collected after ten minutes, paid a business day after creation", () => {
    expect(sandboxRailPlan({ type: "mobile_wallet", provider: "fastpay", phone: "+9647701234567" }, 0)).toEqual([
      { at_ms: RAIL_PICKUP_MS, to: "in_transit" },
      { at_ms: oneBusinessDayAfter(0), to: "paid" },
    ]);
  });

  it("a returned payout comes back three days after it was paid", () => {
    const plan = sandboxRailPlan({ type: "mobile_wallet", provider: "qicard", phone: "+9647700000005" }, 0);
    expect(plan.at(-1)).toEqual({ at_ms: oneBusinessDayAfter(0) + RETURN_AFTER_MS, to: "returned", code: "account_closed" });
    expect(TEST_PHONES["+9647700000005"]).toEqual({ kind: "returned", code: "account_closed" });
  });
});

describe("the payout machine", () => {
  it("is not shown until its hold is placed, and never if the hold is refused", () => {
    const state = opened();
    expect(isShown(state)).toBe(false);
    expect(railDue(state, state.created_at_ms + DAY_MS * 30)).toBeNull();
    expect(isShown(holdRefused(state, state.created_at_ms).state)).toBe(false);
    const created = moveDone(state, state.created_at_ms);
    expect(created.events).toEqual(["payout.created"]);
    expect(created.state.phase).toBe("pending");
  });

  it("plays the rail one move at a time, and waits while money is moving", () => {
    const pending = moveDone(opened(), 0).state;
    const far = pending.created_at_ms + 30 * DAY_MS;
    const transit = railDue(pending, far)!;
    expect(transit).toMatchObject({ events: ["payout.in_transit"], move: null, state: { phase: "in_transit" } });
    const paying = railDue(transit.state, far)!;
    expect(paying).toMatchObject({ events: [], move: "pay", state: { phase: "in_transit", moving: { move: "pay", to: "paid" } } });
    expect(railDue(paying.state, far)).toBeNull();
    expect(nextRailAt(paying.state)).toBeNull();
    const paid = moveDone(paying.state, far);
    expect(paid).toMatchObject({ events: ["payout.paid"], state: { phase: "paid", moving: null } });
    expect(railDue(paid.state, far)).toBeNull();
  });

  it("cancels only a pending payout with nothing under way", () => {
    const pending = moveDone(opened(), 0).state;
    const canceling = cancelPayout(pending, 1);
    expect(canceling).toMatchObject({ ok: true, move: "release", state: { moving: { to: "canceled" } } });
    if (!canceling.ok) throw new Error("unreachable");
    expect(cancelPayout(canceling.state, 2)).toMatchObject({ ok: false, code: "payout_not_cancelable" });
    const transit = railDue(pending, pending.created_at_ms + RAIL_PICKUP_MS)!.state;
    expect(cancelPayout(transit, 3)).toMatchObject({ ok: false, code: "payout_not_cancelable" });
    const failing = railDue(moveDone(opened("+9647700000001"), 0).state, pending.created_at_ms)!.state;
    expect(cancelPayout(failing, 4)).toMatchObject({ ok: false, message: expect.stringContaining("failing") });
  });
});
