import { DurableObject } from "cloudflare:workers";

/**
 * One object per wallet: every balance mutation of that wallet runs here, one at a time.
 * The ledger itself (balances, holds, entries, outbox) arrives with the wallet issue; the binding
 * and class exist now so the deployment's shape is fixed from the start.
 */
export class WalletDO extends DurableObject<Env> {}
