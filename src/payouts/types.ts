import type { Currency } from "../domain/currencies";
import type { KycLimits } from "../domain/kyc";
import type { Owner } from "../domain/mode";
import type { RefusalCode } from "../domain/outcome";
import type { PayoutFee, WalletMove } from "../domain/payout-machine";
import type { PayoutDestination } from "../domain/payout-destination";
import type { OperationRefusal } from "../objects/operation-log";

/** What every call to a payout object says: who asks (always a merchant), on whose clock, and what caused it. */
export interface PayoutCall {
  now_ms: number;
  clock_offset_ms: number;
  owner: Owner;
  request_id?: string;
  idempotency_key?: string;
}

export type Cause = { request_id?: string; idempotency_key?: string };

/**
 * A move on the payout's wallet, recorded before it is made and run by the object's step runner.
 * `operation_id` names the request to answer when it is done; `cause` is what its event names.
 */
export interface PayoutStep {
  kind: WalletMove;
  owner: Owner;
  payout_id: string;
  wallet_id: string;
  hold_id: string;
  user_id: string | null;
  amount: number;
  currency: Currency;
  description: string;
  operation_id: string | null;
  cause: Cause;
  /** The payout fee: held with the amount, sent to the platform when the payout is paid, kept if it is returned. */
  fee: PayoutFee | null;
  /** On a user's payout's hold: the merchant's KYC limits, against whose daily payout limit the hold counts (a release gives it back). */
  limits: KycLimits | null;
}

/** What a move on the wallet came to: done, or (only a hold can be) refused for want of funds or past a limit. */
export type MoveResult = { kind: "done" } | { kind: "refused"; code: "insufficient_funds" | "limit_exceeded"; message: string };

/** A new payout, under the operation id that creates it. */
export interface CreatePayoutRequest {
  operation_id: string;
  id: string;
  wallet_id: string;
  user_id: string | null;
  amount: number;
  currency: Currency;
  destination: PayoutDestination;
  description: string | null;
  metadata: Record<string, string | number | boolean | null>;
  /** The merchant's payout fee on a user's payout (null: none); from its setting of the moment, so not part of what the request does. */
  fee: PayoutFee | null;
  /** The merchant's KYC limits, for a user's payout; null for the merchant's own. Not part of what the request does. */
  kyc_limits: KycLimits | null;
}

export type PayoutRefusalCode =
  | Extract<RefusalCode, "not_found" | "insufficient_funds" | "limit_exceeded" | "payout_not_cancelable">
  | OperationRefusal["code"];
