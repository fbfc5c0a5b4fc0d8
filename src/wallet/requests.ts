import type { Currency } from "../domain/currencies";
import type { FingerprintValue } from "../domain/fingerprint";
import type { KycLimits } from "../domain/kyc";
import { refusal, type Outcome, type Refusal } from "../domain/outcome";
import type { MoveRequest, Operation, WalletRefusalCode } from "./types";

/** What a wallet answers: the shared vocabulary (domain/outcome.ts), narrowed to a wallet's refusals. */
export type WalletOutcome<T> = Outcome<T, WalletRefusalCode>;
export type WalletRefusal = Refusal<WalletRefusalCode>;

export interface HoldRequest extends MoveRequest {
  hold_id: string;
  /** Null on a merchant's own wallet (a payout from its settlement balance). */
  user_id: string | null;
  expires_at_ms: number | null;
  /** For a client-given expiry: how far ahead it may lie (checked when the hold is placed, not on a repeat). */
  expires_within_seconds?: number;
  /** A hold placed for a payment or payout: only it may capture, pay out or release the hold, and its entries name it. */
  payment_id?: string;
  /** A user's payout: its amount counts against the day's payout limit of the wallet's KYC level. */
  payout_limits?: KycLimits;
}

/** Money about to enter a merchant's wallets, counted on its settlement wallet against the currency's bound. */
export interface IssueRequest extends Operation {
  currency: Currency;
  amount: number;
  to_wallet_id: string;
}

/** A top-up of a user's wallet: counted against its KYC level's daily top-up and balance limits. */
export interface TopUpRequest extends MoveRequest {
  kyc_limits: KycLimits;
}

export interface ReleaseRequest extends Operation {
  hold_id: string;
  payment_id?: string;
  /** The hold was a user's payout: what it took of its day's payout limit is given back. */
  payout_counted?: boolean;
}

/** A payout's hold paid out: the money leaves the system, less the fee, which goes to the platform's wallet. */
export interface PayOutRequest extends Operation {
  hold_id: string;
  payout_id: string;
  fee?: { amount: number; platform_wallet_id: string };
}

export interface CaptureRequest extends Operation {
  hold_id: string;
  payment_id?: string;
  /** Omitted: capture the whole hold. */
  amount?: number;
  commission_bps: number;
  settlement_wallet_id: string;
  platform_wallet_id: string;
}

export interface TransferRequest extends MoveRequest {
  transfer_id: string;
  from_user_id: string;
  to_user_id: string;
  to_wallet_id: string;
}

/** A card capture landing on a merchant's settlement wallet: money entering the system, less the commission. */
export interface CardCaptureRequest extends Operation {
  currency: Currency;
  gross: number;
  commission: number;
  platform_wallet_id: string;
  reference: string;
  description: string | null;
}

/** A card top-up's share of the buyer's daily top-up allowance, taken before its capture (and given back if the capture fails). */
export interface AllowanceRequest extends Operation {
  currency: Currency;
  amount: number;
  kyc_limits: KycLimits;
}

export interface GiveBackRequest extends Operation {
  currency: Currency;
  amount: number;
  taken_at_ms: number;
}

/**
 * A card top-up landing on a merchant's settlement wallet: the card's charge enters the system,
 * the fee goes to the platform and the top-up to the buyer's wallet, both through the outbox.
 */
export interface CardTopUpRequest extends CardCaptureRequest {
  top_up_amount: number;
  to_wallet_id: string;
}

export function insufficientFunds(currency: Currency): WalletRefusal {
  return refusal("insufficient_funds", `Insufficient available ${currency} balance.`);
}

export function walletNotFound(): WalletRefusal {
  return refusal("not_found", "No such wallet.");
}

/** What a credit of money entering the system does, for its operation's fingerprint. */
export function moveFields(move: MoveRequest): Record<string, FingerprintValue> {
  return { currency: move.currency, amount: move.amount, description: move.description, reference: move.reference };
}
