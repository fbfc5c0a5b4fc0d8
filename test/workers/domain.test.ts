import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "../../src/domain/backoff";
import { MAX_BOUND_PARAMETERS, statementChunks } from "../../src/domain/chunks";
import { requestClock, withSandboxOffset } from "../../src/domain/clock";
import { eventIdOf } from "../../src/domain/ids";
import { isAllowedMove } from "../../src/domain/ledger";
import { commissionMinor, isValidAmount } from "../../src/domain/money";
import { cancelRedirect, successRedirect } from "../../src/domain/redirects";

describe("commission", () => {
  it.each([
    [10_000, 250, 250],
    [10_020, 250, 251], // 250.5 rounds up
    [10_001, 250, 250], // 250.025 rounds down
    [10_019, 250, 250], // 250.475
    [1, 250, 0], // 0.025
    [20, 250, 1], // 0.5 rounds up
    [0, 250, 0],
    [12_345, 0, 0],
    [12_345, 10_000, 12_345],
  ])("of %i at %i bps is %i", (amount, bps, expected) => {
    expect(commissionMinor(amount, bps)).toBe(expected);
  });

  it("stays exact for the largest amounts, where amount × bps passes 2^53", () => {
    expect(commissionMinor(1_000_000_000_000, 9_999)).toBe(999_900_000_000);
    expect(commissionMinor(999_999_999_999, 250)).toBe(25_000_000_000);
  });

  it("refuses a bad rate or amount loudly", () => {
    expect(() => commissionMinor(100, 10_001)).toThrow();
    expect(() => commissionMinor(1.5, 250)).toThrow();
    expect(() => commissionMinor(100, 2.5)).toThrow();
  });
});

describe("amounts", () => {
  it("are positive safe integers within the currency's maximum", () => {
    expect(isValidAmount(1, "IQD")).toBe(true);
    expect(isValidAmount(1_000_000_000_000, "IQD")).toBe(true);
    expect(isValidAmount(1_000_000_000_001, "IQD")).toBe(false);
    expect(isValidAmount(100_000_000_001, "USD")).toBe(false);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2]) expect(isValidAmount(bad, "IQD")).toBe(false);
  });
});

describe("ledger moves", () => {
  const b = (available: number, held: number) => ({ available, held });
  it("allow exactly the moves each entry type describes", () => {
    expect(isAllowedMove("credit", 5, b(0, 0), b(5, 0))).toBe(true);
    expect(isAllowedMove("hold", 5, b(5, 0), b(0, 5))).toBe(true);
    expect(isAllowedMove("release", 5, b(0, 5), b(5, 0))).toBe(true);
    expect(isAllowedMove("debit", 5, b(5, 0), b(0, 0))).toBe(true);
    expect(isAllowedMove("debit", 5, b(0, 5), b(0, 0))).toBe(true);
    expect(isAllowedMove("credit", 5, b(0, 0), b(0, 5))).toBe(false);
    expect(isAllowedMove("debit", 5, b(5, 5), b(5, 5))).toBe(false);
    expect(isAllowedMove("refund", 5, b(0, 0), b(6, 0))).toBe(false);
  });
});

describe("backoff", () => {
  it("grows exponentially, is capped, and never drops below half the base", () => {
    const max = (attempt: number) => backoffDelayMs(attempt, () => 1);
    const min = (attempt: number) => backoffDelayMs(attempt, () => 0);
    expect([1, 2, 3, 4].map(max)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(max(30)).toBe(300_000);
    expect(min(1)).toBe(500);
    expect(min(30)).toBe(500);
  });
});

describe("statements with a data-dependent number of parameters", () => {
  it("are cut so that none binds more than the databases accept", () => {
    const ids = Array.from({ length: 350 }, (_, i) => i);
    for (const bound of [
      { fixed: 0, per_item: 1 },
      { fixed: 1, per_item: 1 },
      { fixed: 2, per_item: 1 },
      { fixed: 1, per_item: 2 },
      { fixed: 0, per_item: 9 },
    ]) {
      const parts = statementChunks(ids, bound);
      expect(parts.flat()).toEqual(ids);
      for (const part of parts) expect(bound.fixed + part.length * bound.per_item).toBeLessThanOrEqual(MAX_BOUND_PARAMETERS);
      expect(bound.fixed + parts[0]!.length * bound.per_item).toBeGreaterThan(MAX_BOUND_PARAMETERS - bound.per_item);
    }
    expect(() => statementChunks(ids, { fixed: 100, per_item: 1 })).toThrow();
  });
});

describe("event ids", () => {
  it("are derived from the fact: the same fact gives the same id, another fact another", () => {
    expect(eventIdOf("transfer.completed\ntrf_a")).toBe(eventIdOf("transfer.completed\ntrf_a"));
    expect(eventIdOf("transfer.completed\ntrf_a")).not.toBe(eventIdOf("transfer.completed\ntrf_b"));
    expect(eventIdOf("hold.created\nhld_a")).toMatch(/^evt_[0-9A-Za-z]{24}$/);
  });
});

describe("the request clock", () => {
  it("reads time once, and takes the sandbox offset once", () => {
    const base = requestClock(1_000_000);
    const moved = withSandboxOffset(base, 90 * 86_400);
    expect(moved.now_ms()).toBe(1_000_000 + 90 * 86_400_000);
    expect(moved.now_ms()).toBe(moved.now_ms());
    expect(moved.offset_ms).toBe(90 * 86_400_000);
    expect(() => withSandboxOffset(moved, 90 * 86_400)).toThrow(/already applied/);
  });
});

describe("checkout redirects", () => {
  const session = {
    id: "cs_test_abc",
    kind: "session" as const,
    success_url: "https://shop.example/ok",
    cancel_url: "https://shop.example/no?order=7",
  };
  const intent = { ...session, id: "pi_abc", kind: "intent" as const };

  it("append the checkout's id to cancel_url as to success_url", () => {
    expect(successRedirect(session)).toBe("https://shop.example/ok?session_id=cs_test_abc");
    expect(cancelRedirect(session)).toBe("https://shop.example/no?order=7&session_id=cs_test_abc");
    expect(cancelRedirect(intent)).toBe("https://shop.example/no?order=7&payment_intent=pi_abc");
  });

  it("replace a percent-encoded placeholder too, and fill in a parameter left empty", () => {
    const encoded = {
      ...session,
      success_url: "https://shop.example/ok?checkout=%7BCHECKOUT_SESSION_ID%7D",
      cancel_url: "https://shop.example/no?session_id=",
    };
    expect(successRedirect(encoded)).toBe("https://shop.example/ok?checkout=cs_test_abc&session_id=cs_test_abc");
    expect(cancelRedirect(encoded)).toBe("https://shop.example/no?session_id=cs_test_abc");
  });

  it("replace {CHECKOUT_SESSION_ID} in either URL, and do not append a parameter already there", () => {
    const placed = {
      ...intent,
      success_url: "https://shop.example/paid/{CHECKOUT_SESSION_ID}",
      cancel_url: "https://shop.example/cart?payment_intent={CHECKOUT_SESSION_ID}",
    };
    expect(successRedirect(placed)).toBe("https://shop.example/paid/pi_abc?payment_intent=pi_abc");
    expect(cancelRedirect(placed)).toBe("https://shop.example/cart?payment_intent=pi_abc");
  });
});
