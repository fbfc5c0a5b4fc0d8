import type { Clock } from "../domain/clock";
import type { MerchantCaller } from "../domain/callers";
import type { Role } from "../domain/roles";

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
