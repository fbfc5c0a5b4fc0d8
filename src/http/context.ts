import type { Clock } from "../domain/clock";
import type { Mode } from "../domain/mode";
import type { Role } from "../domain/roles";

export type { Mode };

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
  /** The merchant's settlement wallet in this mode: captured funds land there. */
  settlement_wallet_id: string;
}

/** Who is calling the dashboard API: resolved from a JWT. */
export interface AccountCaller {
  account_id: string;
  email: string;
}

export interface MembershipContext {
  merchant_id: string;
  role: Role;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    clock: Clock;
    merchant: MerchantCaller;
    account: AccountCaller;
    membership: MembershipContext;
    /** Scope of Idempotency-Key values: one merchant and mode, or one dashboard account. */
    idempotencyScope: string;
  };
}
