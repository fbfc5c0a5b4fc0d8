import type { MerchantCaller } from "../domain/callers";
import type { Mode } from "../domain/mode";
import type { Role } from "../domain/roles";
import type { AppEnv } from "../http/context";
import type { Lang, T } from "./i18n";

/** The logged-in account of a dashboard request, from its session cookie. */
export interface DashSession {
  token_hash: string;
  account_id: string;
  email: string;
  name: string | null;
  csrf_token: string;
}

/**
 * The merchant and mode a page is about, with the member's role. `caller` is how the services see
 * the dashboard: as that merchant in that mode, exactly as a key of the mode would be seen.
 */
export interface MerchantScope {
  merchant_id: string;
  merchant_name: string;
  mode: Mode;
  role: Role;
  caller: MerchantCaller;
  /** Every merchant the account belongs to, for the switcher. */
  merchants: { id: string; name: string; role: Role }[];
  /** `/admin/m/<id>/<mode>`: every page of this merchant and mode is below it. */
  base: string;
}

export interface DashEnv {
  Bindings: Env;
  Variables: AppEnv["Variables"] & {
    lang: Lang;
    t: T;
    session: DashSession | null;
    scope: MerchantScope;
  };
}
