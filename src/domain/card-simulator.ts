/**
 * The sandbox card processor: a pure function from a card to a decision, following the test cards
 * listed in docs/guides/payment-intents.md ("Cards"). Card numbers and CVVs pass through here and are never
 * stored or logged; what is kept of a card is `CardSummary` (brand, last 4, expiry and a keyed
 * fingerprint computed by the caller).
 */
export interface CardInput {
  number: string;
  exp_month: number;
  exp_year: number;
  cvc: string;
  name: string;
}

export type CardBrand = "visa" | "mastercard" | "amex" | "unknown";

export interface CardSummary {
  brand: CardBrand;
  last4: string;
  exp_month: number;
  exp_year: number;
  /** HMAC of the number under a server key: recognises the same card without keeping it. */
  fingerprint: string;
}

/** Why a card is refused before any attempt: the buyer mistyped it. These do not use up an attempt. */
export type CardProblem = "invalid_number" | "invalid_expiry" | "expired_card" | "invalid_cvc" | "invalid_name";

export type CardDecision = { approved: true } | { approved: false; decline_code: string; message: string };

/** Test cards and what the simulated issuer answers; any other valid number is declined in sandbox. */
const TEST_CARDS: Record<string, CardDecision> = {
  "4242424242424242": { approved: true },
  "5555555555554444": { approved: true },
  "4000000000009995": { approved: false, decline_code: "51", message: "Your card has insufficient funds." },
  "4000000000000069": { approved: false, decline_code: "54", message: "Your card has expired." },
  "4000000000000127": { approved: false, decline_code: "N7", message: "Your card's security code is incorrect." },
};
const OTHER_CARDS: CardDecision = {
  approved: false,
  decline_code: "05",
  message: "Your card was declined. In sandbox, only the test cards are approved.",
};

/** Spaces and dashes are how people type card numbers; anything else is not a card number. */
export function normalizeCardNumber(number: string): string {
  return number.replace(/[\s-]/g, "");
}

export function passesLuhn(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export function cardBrand(digits: string): CardBrand {
  if (/^4/.test(digits)) return "visa";
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return "mastercard";
  if (/^3[47]/.test(digits)) return "amex";
  return "unknown";
}

/** A two-digit year is this century's, as cards print it. */
export function fullYear(exp_year: number): number {
  return exp_year < 100 ? 2000 + exp_year : exp_year;
}

/** What is wrong with the card as typed, if anything (checked before the simulated issuer is asked). */
export function cardProblem(card: CardInput, now_ms: number): CardProblem | null {
  const digits = normalizeCardNumber(card.number);
  if (!/^\d{13,19}$/.test(digits) || !passesLuhn(digits)) return "invalid_number";
  if (!Number.isInteger(card.exp_month) || card.exp_month < 1 || card.exp_month > 12) return "invalid_expiry";
  const year = fullYear(card.exp_year);
  if (!Number.isInteger(year) || year > 2100) return "invalid_expiry";
  const now = new Date(now_ms);
  // A card is valid through the last day of its expiry month.
  if (year < now.getUTCFullYear() || (year === now.getUTCFullYear() && card.exp_month < now.getUTCMonth() + 1)) return "expired_card";
  const cvc_length = cardBrand(digits) === "amex" ? 4 : 3;
  if (!new RegExp(`^\\d{${cvc_length}}$`).test(card.cvc)) return "invalid_cvc";
  if (card.name.trim().length === 0) return "invalid_name";
  return null;
}

export const CARD_PROBLEM_MESSAGES: Record<CardProblem, string> = {
  invalid_number: "The card number is not valid; check the digits.",
  invalid_expiry: "The expiry date is not valid; use MM/YY.",
  expired_card: "The card has expired; use another card.",
  invalid_cvc: "The security code (CVV) is not valid.",
  invalid_name: "Enter the name on the card.",
};

/** The field of a card a buyer should fix for each problem (the error's `param`). */
export const CARD_PROBLEM_PARAMS: Record<CardProblem, string> = {
  invalid_number: "card.number",
  invalid_expiry: "card.exp_month",
  expired_card: "card.exp_month",
  invalid_cvc: "card.cvc",
  invalid_name: "card.name",
};

/** The simulated issuer's answer for a card that passed cardProblem. */
export function simulateAuthorization(card: CardInput): CardDecision {
  return TEST_CARDS[normalizeCardNumber(card.number)] ?? OTHER_CARDS;
}

export function summarizeCard(card: CardInput, fingerprint: string): CardSummary {
  const digits = normalizeCardNumber(card.number);
  return { brand: cardBrand(digits), last4: digits.slice(-4), exp_month: card.exp_month, exp_year: fullYear(card.exp_year), fingerprint };
}
