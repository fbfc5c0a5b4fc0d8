import type { CardInput } from "../domain/card-simulator";
import type { Currency } from "../domain/currencies";
import type { KycLimits } from "../domain/kyc";
import type { CheckoutMachineCode, NewCheckout } from "../domain/checkout-machine";
import type { PaymentMachineCode } from "../domain/payment-machine";
import type { OperationRefusal } from "../objects/operation-log";
import type { WalletOwner } from "../wallet/types";

/** What every call tells the payment object: who asks (a merchant, or a buyer holding the client secret) and when. */
export interface PaymentCall {
  now_ms: number;
  /** How far the merchant's clock runs ahead of real time; a buyer's call does not know, and the object's last known offset applies. */
  clock_offset_ms?: number;
  owner?: WalletOwner;
  client_secret?: string;
  /** The id the caller named (a cs_… or pi_…): every id of one checkout routes to its object, but only its own id is it. */
  checkout_id?: string;
  /** What caused a change, recorded on its events. */
  request_id?: string;
  idempotency_key?: string;
}

/** A card's charge as a capture step carries it: the amount, its commission, and where each goes. */
interface CardCharge {
  amount: number;
  commission: number;
  commission_bps: number;
  currency: Currency;
  settlement_wallet_id: string;
  platform_wallet_id: string;
}

/** A call to a wallet that a change needs, recorded before it is made. `operation_id` names the request to answer when it is done. */
export type PaymentStep = (
  | {
      kind: "authorize_wallet";
      attempt: number;
      wallet_id: string;
      hold_id: string;
      user_id: string;
      amount: number;
      currency: Currency;
      expires_at_ms: number;
    }
  | {
      kind: "capture_wallet";
      wallet_id: string;
      hold_id: string;
      amount: number;
      commission: number;
      commission_bps: number;
      settlement_wallet_id: string;
      platform_wallet_id: string;
    }
  | ({ kind: "capture_card" } & CardCharge)
  | ({
      /** A wallet top-up's capture: its share of the buyer's allowance, then the card's charge on the settlement wallet. */
      kind: "capture_top_up";
      wallet_id: string;
      top_up_amount: number;
      kyc_limits: KycLimits;
    } & CardCharge)
  | { kind: "release"; reason: "void" | "deadline"; wallet_id: string | null; hold_id: string | null }
  | {
      kind: "refund";
      refund_id: string;
      amount: number;
      currency: Currency;
      settlement_wallet_id: string;
      platform_wallet_id: string;
      to_wallet_id: string | null;
    }
) & {
  payment_id: string;
  owner: WalletOwner;
  operation_id: string | null;
  /** The request that led to the step, recorded on the events its completion writes. */
  cause: { request_id: string | null; idempotency_key: string | null };
};

export type PayInput = { method: "wallet"; otp: string } | { method: "card"; card: CardInput };

export interface PayResult {
  status: "authorized" | "declined" | "failed";
  decline_code?: string;
  message: string;
  redirect_url?: string;
  attempts_remaining: number;
}

/** What a payment object can refuse with: its machines' codes, the caller's and the steps'. */
export type PaymentRefusalCode =
  | CheckoutMachineCode
  | PaymentMachineCode
  | OperationRefusal["code"]
  | "not_found"
  | "client_secret_invalid"
  | "insufficient_funds"
  | "limit_exceeded"
  | "balance_limit_exceeded"
  | "card_invalid"
  | "card_processing_unavailable"
  | "otp_unavailable";

/** A new checkout session or payment intent, under the operation id that creates it. */
export interface CreateRequest extends Omit<NewCheckout, "now_ms"> {
  operation_id: string;
}
