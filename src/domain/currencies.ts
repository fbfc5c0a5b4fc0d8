/**
 * The one table of currencies (DESIGN.md). `exponent` is the number of minor-unit digits
 * used for display: IQD amounts are whole dinars (the docs show 10000 as 10,000 IQD), USD has cents.
 * `max_amount_minor` bounds any single amount so sums stay far below 2^53.
 */
export const CURRENCIES = {
  IQD: { exponent: 0, max_amount_minor: 1_000_000_000_000 },
  USD: { exponent: 2, max_amount_minor: 100_000_000_000 },
} as const;

export type Currency = keyof typeof CURRENCIES;
export const CURRENCY_CODES = Object.keys(CURRENCIES) as [Currency, ...Currency[]];
export const DEFAULT_CURRENCY: Currency = "IQD";
