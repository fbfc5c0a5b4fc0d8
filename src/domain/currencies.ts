/**
 * The one table of currencies (docs/architecture.md, "Money rules"). `exponent` is the number of minor-unit digits used for
 * display: IQD amounts are whole dinars (the docs show 10000 as 10,000 IQD), USD has cents.
 *
 * Two bounds keep every sum an exact integer, far below 2^53 (≈ 9.007 × 10^15):
 * - `max_amount_minor` bounds any single amount a request names;
 * - `max_issued_minor` bounds all the money of one merchant and mode: what entered through top-ups
 *   and card captures and has not left. Every wallet of that merchant (its users', its settlement
 *   wallet, its share of the platform's revenue) holds part of that money and nothing else, so no
 *   balance and no audit sum can pass it, and a credit between two of them can always apply.
 */
export const CURRENCIES = {
  IQD: { exponent: 0, max_amount_minor: 1_000_000_000_000, max_issued_minor: 1_000_000_000_000_000 },
  USD: { exponent: 2, max_amount_minor: 100_000_000_000, max_issued_minor: 100_000_000_000_000 },
} as const;

export type Currency = keyof typeof CURRENCIES;
export const CURRENCY_CODES = Object.keys(CURRENCIES) as [Currency, ...Currency[]];
export const DEFAULT_CURRENCY: Currency = "IQD";
