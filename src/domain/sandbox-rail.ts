import { BAGHDAD_OFFSET_MS } from "./clock";
import { ibanOf } from "./iban";
import type { PayoutDestination } from "./payout-destination";

/**
 * The sandbox's payout rail, documented like the test cards (docs/guides/payouts.md): what happens
 * to a payout is decided by its destination, and every step of it happens on the merchant's
 * sandbox clock, so moving the clock plays it out. Live mode has no rail connected yet.
 */
export const PAYOUT_FAILURE_CODES = ["account_closed", "invalid_account", "insufficient_rail_balance"] as const;
export type PayoutFailureCode = (typeof PAYOUT_FAILURE_CODES)[number];

export type RailStatus = "in_transit" | "paid" | "failed" | "returned";
/** One thing the rail does to a payout, at an instant of the merchant's clock. */
export interface RailMove {
  at_ms: number;
  to: RailStatus;
  code?: PayoutFailureCode;
}

type Behaviour = { kind: "paid" } | { kind: "fails_at_once" | "fails_in_transit" | "returned"; code: PayoutFailureCode };

/** The rail collects pending payouts every ten minutes: until then a payout can be canceled. */
export const RAIL_PICKUP_MS = 10 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A paid payout that bounces comes back this long after it was paid. */
export const RETURN_AFTER_MS = 3 * DAY_MS;
/** Iraq rests on Friday and Saturday. */
const FRIDAY = 5;
const SATURDAY = 6;

/** The test destinations and what each does; any other valid destination is paid. */
export const TEST_PHONES: Readonly<Record<string, Behaviour>> = {
  "+9647700000001": { kind: "fails_at_once", code: "account_closed" },
  "+9647700000002": { kind: "fails_at_once", code: "invalid_account" },
  "+9647700000003": { kind: "fails_at_once", code: "insufficient_rail_balance" },
  "+9647700000004": { kind: "fails_in_transit", code: "account_closed" },
  "+9647700000005": { kind: "returned", code: "account_closed" },
};

/** The same behaviours on Iraqi IBANs at a test bank branch, accounts …0001 to …0005. */
export const TEST_IBANS: Readonly<Record<string, Behaviour>> = Object.fromEntries(
  Object.entries(TEST_PHONES).map(([phone, behaviour]) => [ibanOf("IQ", `NBIQ850${phone.slice(-1).padStart(12, "0")}`), behaviour]),
);

function behaviourOf(destination: PayoutDestination): Behaviour {
  const found = destination.type === "bank_account" ? TEST_IBANS[destination.iban] : TEST_PHONES[destination.phone];
  return found ?? { kind: "paid" };
}

/** When money sent at `from_ms` arrives: a day later, moved past Friday and Saturday in Baghdad. */
export function oneBusinessDayAfter(from_ms: number): number {
  let at_ms = from_ms + DAY_MS;
  const weekday = () => new Date(at_ms + BAGHDAD_OFFSET_MS).getUTCDay();
  while (weekday() === FRIDAY || weekday() === SATURDAY) at_ms += DAY_MS;
  return at_ms;
}

/** Everything the sandbox rail will do to a payout created at `created_at_ms`, in order. */
export function sandboxRailPlan(destination: PayoutDestination, created_at_ms: number): RailMove[] {
  const behaviour = behaviourOf(destination);
  if (behaviour.kind === "fails_at_once") return [{ at_ms: created_at_ms, to: "failed", code: behaviour.code }];
  const picked_up_ms = created_at_ms + RAIL_PICKUP_MS;
  const arrives_ms = oneBusinessDayAfter(created_at_ms);
  const in_transit: RailMove = { at_ms: picked_up_ms, to: "in_transit" };
  if (behaviour.kind === "fails_in_transit") return [in_transit, { at_ms: arrives_ms, to: "failed", code: behaviour.code }];
  const paid: RailMove = { at_ms: arrives_ms, to: "paid" };
  if (behaviour.kind === "paid") return [in_transit, paid];
  return [in_transit, paid, { at_ms: arrives_ms + RETURN_AFTER_MS, to: "returned", code: behaviour.code }];
}
