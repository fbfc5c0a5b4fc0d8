import type { KeyWithMerchant } from "../db/api-keys";
import { LoadingCache } from "../domain/bounded-cache";

/**
 * API keys verified from an in-isolate cache (docs/architecture.md, "The hot path"), so a warm request makes
 * no D1 round trip to authenticate. An entry lives KEY_CACHE_TTL_SECONDS: a revocation, or a move of
 * a merchant's sandbox clock, clears the entries at once in the isolate that made it, and every
 * other isolate reads the key afresh within that lifetime. A commission change reaches requests
 * within the same bound. Concurrent first requests share one lookup; unknown keys are not
 * remembered, so a key created a moment ago works at once.
 */
export const KEY_CACHE_TTL_SECONDS = 30;
const MAX_KEYS = 10_000;

export interface AuthenticatedKey extends KeyWithMerchant {
  /** A signing key's secret, opened once per isolate and lifetime rather than per request. */
  signing_secret?: string;
}

const keys = new LoadingCache<string, AuthenticatedKey>(MAX_KEYS, KEY_CACHE_TTL_SECONDS * 1000);

export function cachedKey(lookup: string, load: () => Promise<AuthenticatedKey | undefined>): Promise<AuthenticatedKey | undefined> {
  return keys.load(lookup, load);
}

/** A revoked key fails at once here; elsewhere within KEY_CACHE_TTL_SECONDS. */
export function forgetKey(key_id: string): void {
  keys.forgetWhere((found) => found.key.id === key_id);
}

/** After a merchant's settings or sandbox clock change. */
export function forgetMerchantKeys(merchant_id: string): void {
  keys.forgetWhere((found) => found.key.merchant_id === merchant_id);
}
