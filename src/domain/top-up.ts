import type { Currency } from "./currencies";
import type { KycLimits } from "./kyc";
import { commissionMinor } from "./money";

/**
 * A wallet top-up by card: a payment intent whose capture credits the buyer's wallet instead of
 * the merchant. The platform's commission on it (the fee) is borne by one side, as the merchant
 * asks when it creates the intent:
 *
 * - `buyer` (the default): the card is charged the top-up plus the fee, the wallet receives the
 *   top-up, the merchant's settlement wallet nets nothing. Always funded by its own charge.
 * - `merchant`: the card is charged the top-up, the wallet receives all of it, and the fee comes out
 *   of the merchant's settlement balance at capture; a top-up that balance cannot cover fails
 *   (its authorization voided, the card not charged).
 *
 * The fee is the commission on the top-up amount, rounded as every commission is (domain/money.ts).
 * 25,000 IQD at 2.5 %, buyer bears: fee 625, card charged 25,625, wallet +25,000.
 */
export const FEE_BEARERS = ["buyer", "merchant"] as const;
export type FeeBearer = (typeof FEE_BEARERS)[number];

export interface TopUp {
  /** What the wallet receives. */
  amount: number;
  fee_amount: number;
  fee_bearer: FeeBearer;
  commission_bps: number;
  settlement_wallet_id: string;
  platform_wallet_id: string;
  /** The merchant's KYC limits when the intent was created: the top-up is checked against them when it is captured. */
  kyc_limits: KycLimits;
}

export function topUpOf(input: Omit<TopUp, "fee_amount">): TopUp {
  return { ...input, fee_amount: commissionMinor(input.amount, input.commission_bps) };
}

/** What the card is charged: the top-up, and the fee on top when the buyer bears it. */
export function chargeOf(top_up: Pick<TopUp, "amount" | "fee_amount" | "fee_bearer">): number {
  return top_up.fee_bearer === "buyer" ? top_up.amount + top_up.fee_amount : top_up.amount;
}

/**
 * What the merchant's settlement wallet gains from a top-up's capture: the charge comes in, the fee
 * goes to the platform and the top-up to the buyer's wallet. Zero when the buyer bears the fee,
 * minus the fee when the merchant does; never positive.
 */
export function settlementNetOf(top_up: Pick<TopUp, "amount" | "fee_amount" | "fee_bearer">): number {
  return chargeOf(top_up) - top_up.fee_amount - top_up.amount;
}

/** A top-up as the API, its events and the dashboard show it. */
export function topUpView(top_up: TopUp, currency: Currency, buyer: { user_id: string; external_id: string; wallet_id: string }) {
  return {
    user_id: buyer.user_id,
    external_user_id: buyer.external_id,
    wallet_id: buyer.wallet_id,
    amount: top_up.amount,
    fee_amount: top_up.fee_amount,
    fee_bearer: top_up.fee_bearer,
    currency,
  };
}
