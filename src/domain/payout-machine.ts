import { assert } from "./assert";
import type { Currency } from "./currencies";
import type { Mode } from "./mode";
import { refusal, type Outcome } from "./outcome";
import type { PayoutDestination } from "./payout-destination";
import type { PayoutFailureCode, RailMove } from "./sandbox-rail";

/**
 * A payout as a pure state machine: each function takes the state and returns the next, with the
 * events to record and the move on the wallet to make; the PayoutDO persists what it returns and
 * makes the moves. Money moves first and the status follows when the move is done, so a status
 * never claims money the wallet has not moved.
 *
 *   opening ─hold placed─▶ pending ─rail─▶ in_transit ─rail─▶ paid ─rail─▶ returned
 *      └─hold refused─▶ refused    ├─cancel─▶ canceled   └─rail─▶ failed
 *                                  └─rail─▶ failed
 *
 * `opening` and `refused` are never shown: a payout whose hold was refused was never created.
 */
export type PayoutStatus = "pending" | "in_transit" | "paid" | "failed" | "canceled" | "returned";
export type PayoutPhase = "opening" | "refused" | PayoutStatus;
export type PayoutEventType = `payout.${"created" | "in_transit" | "paid" | "failed" | "canceled" | "returned"}`;
export const PAYOUT_STATUSES = ["pending", "in_transit", "paid", "failed", "canceled", "returned"] as const;

/** What a payout does to its wallet: hold the amount, pay it out (it leaves), release it, or take back a return. */
export type WalletMove = "hold" | "pay" | "release" | "return";

export interface PayoutState {
  version: number;
  id: string;
  merchant_id: string;
  mode: Mode;
  phase: PayoutPhase;
  amount: number;
  currency: Currency;
  /** The wallet paid out from: a synced user's, or (user_id null) the merchant's settlement wallet. */
  wallet_id: string;
  user_id: string | null;
  hold_id: string;
  destination: PayoutDestination;
  /** A fee on a user's payout, for the platform; absent in states saved before fees existed. */
  fee?: PayoutFee | null;
  description: string | null;
  metadata: Record<string, string | number | boolean | null>;
  /** What the rail will do, in order, and how many of those moves have happened. */
  rail: RailMove[];
  rail_done: number;
  /** A move on the wallet recorded and not yet done, and the phase it leads to. */
  moving: { move: WalletMove; to: PayoutPhase; code: PayoutFailureCode | null } | null;
  failure_code: PayoutFailureCode | null;
  created_at_ms: number;
  updated_at_ms: number;
  /** When each status was reached, on the merchant's clock. */
  reached_at_ms: Partial<Record<PayoutStatus, number>>;
}

/** A merchant's payout fee is at most 10 % of the amount: a fee is never the payout. */
export const MAX_PAYOUT_FEE_BPS = 1_000;

/** A payout's fee (the merchant's `payout_fee_bps` of the amount) and the platform wallet it goes to. */
export interface PayoutFee {
  amount: number;
  platform_wallet_id: string;
}

/** What the payout holds on its wallet: the amount and its fee. */
export function heldAmount(state: Pick<PayoutState, "amount" | "fee">): number {
  return state.amount + (state.fee?.amount ?? 0);
}

export interface Change {
  state: PayoutState;
  events: PayoutEventType[];
  /** The move on the wallet this change starts, if any. */
  move: WalletMove | null;
}

export type NewPayout = Omit<
  PayoutState,
  "version" | "phase" | "rail_done" | "moving" | "failure_code" | "updated_at_ms" | "reached_at_ms"
>;

export function openPayout(input: NewPayout): Change {
  assert(Number.isSafeInteger(input.amount) && input.amount > 0, `a payout of ${input.amount}`);
  const state: PayoutState = {
    ...input,
    version: 1,
    phase: "opening",
    rail_done: 0,
    moving: { move: "hold", to: "pending", code: null },
    failure_code: null,
    updated_at_ms: input.created_at_ms,
    reached_at_ms: {},
  };
  return { state, events: [], move: "hold" };
}

/** Whether the payout exists for its merchant: its hold was placed. */
export function isShown(state: PayoutState): state is PayoutState & { phase: PayoutStatus } {
  return state.phase !== "opening" && state.phase !== "refused";
}

/** The wallet refused the hold (not enough available): the payout was never created. */
export function holdRefused(state: PayoutState, now_ms: number): Change {
  assert(state.phase === "opening" && state.moving?.move === "hold", `payout ${state.id} refused while ${state.phase}`);
  return { state: next(state, { phase: "refused", moving: null }, now_ms), events: [], move: null };
}

/** The recorded move is done on the wallet: the payout takes the phase it led to, with its event. */
export function moveDone(state: PayoutState, now_ms: number): Change {
  const moving = state.moving;
  assert(moving !== null, `payout ${state.id} finished a move it did not record`);
  const status = moving.to;
  assert(status !== "opening" && status !== "refused", `payout ${state.id} moved to ${status}`);
  const failure_code = moving.code ?? state.failure_code;
  const reached_at_ms = { ...state.reached_at_ms, [status]: now_ms };
  const event: PayoutEventType = status === "pending" ? "payout.created" : `payout.${status}`;
  return { state: next(state, { phase: status, moving: null, failure_code, reached_at_ms }, now_ms), events: [event], move: null };
}

/**
 * What the rail has done by `now_ms` that the payout has not recorded: the first such move, or
 * null. Nothing happens while a move on the wallet is under way, nor once the payout is over.
 */
export function railDue(state: PayoutState, now_ms: number): Change | null {
  const due = state.rail[state.rail_done];
  if (!due || due.at_ms > now_ms || state.moving !== null || !isShown(state)) return null;
  if (state.phase === "canceled" || state.phase === "failed" || state.phase === "returned") return null;
  const rail_done = state.rail_done + 1;
  if (due.to === "in_transit") {
    const reached_at_ms = { ...state.reached_at_ms, in_transit: due.at_ms };
    return { state: next(state, { phase: "in_transit", rail_done, reached_at_ms }, now_ms), events: ["payout.in_transit"], move: null };
  }
  const move: WalletMove = due.to === "paid" ? "pay" : due.to === "failed" ? "release" : "return";
  return { state: next(state, { rail_done, moving: { move, to: due.to, code: due.code ?? null } }, now_ms), events: [], move };
}

/** When the rail next acts on the payout (the merchant's clock), or null. */
export function nextRailAt(state: PayoutState): number | null {
  if (state.moving !== null || !isShown(state)) return null;
  return state.rail[state.rail_done]?.at_ms ?? null;
}

/** The merchant cancels: only a pending payout the rail has not picked up, and nothing else under way. */
export function cancelPayout(state: PayoutState, now_ms: number): Outcome<Change, "payout_not_cancelable"> {
  if (state.phase !== "pending" || state.moving !== null) {
    const doing = state.moving ? `already ${state.moving.to === "failed" ? "failing" : "being canceled"}` : state.phase;
    return refusal("payout_not_cancelable", `Only a pending payout can be canceled; this one is ${doing}.`);
  }
  const moving = { move: "release" as const, to: "canceled" as const, code: null };
  return { ok: true, state: next(state, { moving }, now_ms), events: [], move: "release" };
}

/** When the payout is expected to arrive: when the rail pays it (or fails it on arrival); null if it fails at once. */
export function arrivalAt(state: PayoutState): number | null {
  const [first] = state.rail;
  if (!first || first.to === "failed") return null;
  return state.rail.find((move) => move.to === "paid" || move.to === "failed")?.at_ms ?? null;
}

function next(state: PayoutState, changes: Partial<PayoutState>, now_ms: number): PayoutState {
  return { ...state, ...changes, version: state.version + 1, updated_at_ms: now_ms };
}
