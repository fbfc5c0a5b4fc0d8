import { describe, expect, it } from "vitest";
import { ibanProblem } from "../../src/domain/iban";
import { TEST_IBANS, TEST_PHONES } from "../../src/domain/sandbox-rail";
import { read } from "./repository";

/**
 * docs/guides/payouts.md lists the sandbox rail's test destinations, as the payment-intents guide
 * lists the test cards: the table must say what the rail (src/domain/sandbox-rail.ts) does, row for
 * row, and every IBAN in it must pass its own check digits.
 */
const FILE = "docs/guides/payouts.md";
const WORDS = {
  fails_at_once: "fails at once",
  fails_in_transit: "goes in transit, then fails",
  returned: "is paid, then returned",
} as const;

const rows = [...read(FILE).matchAll(/^\| (\+964\d+) \| (IQ\w+) \| (.+) \|$/gm)].map(([, phone, iban, what]) => ({ phone, iban, what }));

describe(FILE, () => {
  it("has a row for every test destination, and no other", () => {
    expect(rows.map((r) => r.phone)).toEqual(Object.keys(TEST_PHONES));
    expect(rows.map((r) => r.iban)).toEqual(Object.keys(TEST_IBANS));
  });

  it.each(rows)("$phone and $iban do what the rail does with them", ({ phone, iban, what }) => {
    const behaviour = TEST_PHONES[phone!]!;
    expect(TEST_IBANS[iban!]).toEqual(behaviour);
    expect(ibanProblem(iban!)).toBeNull();
    expect(what).toContain(WORDS[behaviour.kind as keyof typeof WORDS]);
    expect(what).toContain(`\`${(behaviour as { code: string }).code}\``);
  });
});
