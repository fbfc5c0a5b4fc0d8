import { CURRENCIES, type Currency } from "../domain/currencies";

/**
 * How the hosted page writes money and times. Written out rather than left to `Intl`, so the page
 * reads the same in every runtime and locale: "45,000 IQD" (dinars have no minor digits on screen)
 * and "$99.99".
 */
const SYMBOLS: Partial<Record<Currency, string>> = { USD: "$" };

export function formatAmount(amount_minor: number, currency: Currency): string {
  if (!Number.isSafeInteger(amount_minor)) throw new Error(`amount_minor must be a safe integer, got ${amount_minor}`);
  const exponent = CURRENCIES[currency].exponent;
  const scale = 10 ** exponent;
  const magnitude = Math.abs(amount_minor);
  const whole = String(Math.floor(magnitude / scale)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const digits = exponent > 0 ? `${whole}.${String(magnitude % scale).padStart(exponent, "0")}` : whole;
  const sign = amount_minor < 0 ? "-" : "";
  const symbol = SYMBOLS[currency];
  return symbol ? `${sign}${symbol}${digits}` : `${sign}${digits} ${currency}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "24 Nov 2026, 17:05 UTC" from an ISO timestamp. */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())} UTC`
  );
}
