import { CURRENCIES, type Currency } from "../domain/currencies";
import { DIRECTION, INTL_TAG, type Locale } from "./i18n";

/**
 * How the hosted page writes money, times and the buyer's name, per language, with `Intl`: in
 * Arabic "‏٤٥٬٠٠٠ د.ع.‏" (Arabic-Indic digits, the dinar's own symbol), in English "IQD 45,000" and
 * "$99.99". The currency's exponent fixes the digits (IQD none, USD two: domain/currencies.ts).
 */

/** "9999" minor units of a 2-digit currency → "99.99", exactly: Intl formats decimal strings without a float. */
function decimalString(amount_minor: number, exponent: number): string {
  const magnitude = String(Math.abs(amount_minor)).padStart(exponent + 1, "0");
  const whole = exponent > 0 ? `${magnitude.slice(0, -exponent)}.${magnitude.slice(-exponent)}` : magnitude;
  return amount_minor < 0 ? `-${whole}` : whole;
}

export function formatAmount(amount_minor: number, currency: Currency, locale: Locale): string {
  if (!Number.isSafeInteger(amount_minor)) throw new Error(`amount_minor must be a safe integer, got ${amount_minor}`);
  const exponent = CURRENCIES[currency].exponent;
  const format = new Intl.NumberFormat(INTL_TAG[locale], {
    style: "currency",
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  // Intl.NumberFormat takes a decimal string as an exact value (ECMA-402 "Intl.NumberFormat v3").
  const parts = format.formatToParts(decimalString(amount_minor, exponent) as unknown as number);
  // A Latin symbol in a right-to-left amount ("US$") is isolated left to right, or it shows as "$US".
  return parts
    .map((part) =>
      part.type === "currency" && DIRECTION[locale] === "rtl" && /[A-Za-z]/.test(part.value) ? `\u2066${part.value}\u2069` : part.value,
    )
    .join("");
}

/**
 * The server's rendering of a time, for a page whose script has not (yet) rewritten it in the
 * buyer's own time zone (page.js): Baghdad time, the zone named, since the page is for buyers in Iraq.
 */
export const SERVER_TIME_ZONE = "Asia/Baghdad";

/** The options page.js uses too, so the server's and the browser's renderings read alike. */
export const DATE_OPTIONS: Intl.DateTimeFormatOptions = {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZoneName: "short",
};

export function formatDateTime(iso: string, locale: Locale, time_zone = SERVER_TIME_ZONE): string {
  return new Intl.DateTimeFormat(INTL_TAG[locale], { ...DATE_OPTIONS, timeZone: time_zone }).format(new Date(iso));
}

/**
 * A name as anyone holding the payment link may see it: each word's first letter and a fixed run
 * of dots ("Zainab Al-Kadhimi" → "Z•••• A••••"), so neither the name nor its length shows.
 */
export function maskName(full_name: string): string {
  const words = full_name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return "•••";
  return words
    .slice(0, 3)
    .map((word) => `${Array.from(word)[0]}••••`)
    .join(" ");
}
