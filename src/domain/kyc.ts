import { CURRENCY_CODES, type Currency } from "./currencies";

/**
 * Know-your-customer levels and the limits each carries. A merchant syncs each user with the level
 * it has verified (`none` until then) and may set, per level and currency, the largest balance, the
 * largest total of top-ups in a day and the largest total of payouts in a day; what it does not set
 * comes from the platform's defaults below. The wallet object enforces them (wallet/limits.ts), in
 * the transaction of the move, on the merchant's clock.
 */
export const KYC_LEVELS = ["none", "basic", "full"] as const;
export type KycLevel = (typeof KYC_LEVELS)[number];

/** One level's limits in one currency, in minor units; null: no limit. */
export interface LevelLimits {
  max_balance: number | null;
  max_top_up_per_day: number | null;
  max_payout_per_day: number | null;
}
export const LIMIT_NAMES = ["max_balance", "max_top_up_per_day", "max_payout_per_day"] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export type KycLimits = Record<KycLevel, Record<Currency, LevelLimits>>;
export type KycLimitsPatch = Partial<Record<KycLevel, Partial<Record<Currency, Partial<LevelLimits>>>>>;

/**
 * The platform's defaults: an unverified user cannot pay out; a basic one pays out up to 5,000,000
 * IQD or 5,000.00 USD a day; a fully verified one has no platform limit. Balances and top-ups are
 * not limited until the merchant sets limits for its licence.
 */
export const DEFAULT_KYC_LIMITS: KycLimits = {
  none: {
    IQD: { max_balance: null, max_top_up_per_day: null, max_payout_per_day: 0 },
    USD: { max_balance: null, max_top_up_per_day: null, max_payout_per_day: 0 },
  },
  basic: {
    IQD: { max_balance: null, max_top_up_per_day: null, max_payout_per_day: 5_000_000 },
    USD: { max_balance: null, max_top_up_per_day: null, max_payout_per_day: 500_000 },
  },
  full: {
    IQD: { max_balance: null, max_top_up_per_day: null, max_payout_per_day: null },
    USD: { max_balance: null, max_top_up_per_day: null, max_payout_per_day: null },
  },
};

/** The limits in force: the merchant's settings over the platform's defaults, limit by limit (null: no limit). */
export function effectiveLimits(settings: KycLimitsPatch | null): KycLimits {
  const out = structuredClone(DEFAULT_KYC_LIMITS);
  for (const level of KYC_LEVELS) {
    for (const currency of CURRENCY_CODES) Object.assign(out[level][currency], settings?.[level]?.[currency] ?? {});
  }
  return out;
}

/** The limits in force from a merchant's stored settings (JSON, or null for none). */
export function limitsOf(stored: string | null): KycLimits {
  return effectiveLimits(stored === null ? null : (JSON.parse(stored) as KycLimitsPatch));
}
