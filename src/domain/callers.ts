import type { KycLimits } from "./kyc";
import type { Mode } from "./mode";

/**
 * Who is calling the merchant API: resolved from a secret key, an HMAC signing key, or — on the
 * few routes whose contract accepts it (auth `merchant_or_publishable`) — a publishable key, which
 * a browser holds; such a route must check `key_type` and answer a publishable key only what a
 * browser may see.
 */
export interface MerchantCaller {
  merchant_id: string;
  /** Shown to buyers on the hosted checkout page. */
  merchant_name: string;
  mode: Mode;
  key_id: string;
  key_type: "secret" | "signing" | "publishable";
  /** The merchant's platform commission, in basis points. */
  commission_bps: number;
  /** The fee on its users' payouts, in basis points of the amount (0: none), for the platform. */
  payout_fee_bps: number;
  /** The merchant's settlement wallet in this mode: captured funds land there. */
  settlement_wallet_id: string;
  /** The KYC limits in force for the merchant's users: its settings over the platform's defaults. */
  kyc_limits: KycLimits;
}
