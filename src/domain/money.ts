import { CURRENCIES, type Currency } from "./currencies";

/**
 * Money rules (docs/architecture.md): integers in the currency's minor unit, > 0, at most the currency's maximum.
 */
export function isValidAmount(amount: number, currency: Currency): boolean {
  return Number.isSafeInteger(amount) && amount > 0 && amount <= CURRENCIES[currency].max_amount_minor;
}

/**
 * Platform commission on a captured amount, in minor units.
 * Rounding rule: half up to the minor unit — commission = floor((amount × bps + 5,000) / 10,000).
 * E.g. 2.5 % of 10,001 IQD is 250.025 → 250; of 10,020 IQD is 250.5 → 251.
 * Computed in BigInt because amount × bps can pass 2^53 for the largest amounts.
 */
export const MAX_COMMISSION_BPS = 10_000;

export function commissionMinor(amount_minor: number, commission_bps: number): number {
  if (!Number.isSafeInteger(amount_minor) || amount_minor < 0) throw new Error(`bad amount ${amount_minor}`);
  if (!Number.isInteger(commission_bps) || commission_bps < 0 || commission_bps > MAX_COMMISSION_BPS) {
    throw new Error(`bad commission ${commission_bps}`);
  }
  return Number((BigInt(amount_minor) * BigInt(commission_bps) + 5_000n) / 10_000n);
}
