/**
 * IBANs (ISO 13616): two letters of country, two check digits, then the country's account number
 * (BBAN). The check digits make the whole, read with the country moved to the end and letters as
 * numbers (A = 10 … Z = 35), leave 1 when divided by 97: a mistyped digit or a swap of two is caught
 * before any money is sent.
 */
const SHAPE = /^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/;
/** Lengths we check beyond the shape: Iraq's (the accounts payouts here go to) and its neighbours'. */
const LENGTHS: Record<string, number> = { IQ: 23, JO: 30, KW: 30, SA: 24, AE: 23, TR: 26, LB: 28, BH: 22, QA: 29 };

/** Spaces removed and letters in capitals: how IBANs are compared and stored. */
export function normalizeIban(input: string): string {
  return input.replace(/ /g, "").toUpperCase();
}

/** Why a (normalized) IBAN is not one, or null when it is. */
export function ibanProblem(iban: string): string | null {
  if (!SHAPE.test(iban)) return "An IBAN is two letters, two check digits and 11 to 30 letters or digits.";
  const country = iban.slice(0, 2);
  const length = LENGTHS[country];
  if (length !== undefined && iban.length !== length) return `A ${country} IBAN has ${length} characters; this one has ${iban.length}.`;
  if (mod97(iban.slice(4) + iban.slice(0, 4)) !== 1) return "The IBAN's check digits do not match: look for a mistyped character.";
  return null;
}

/** The IBAN of a country and account number, with its check digits computed (for test accounts). */
export function ibanOf(country: string, bban: string): string {
  const check = 98 - mod97(`${bban}${country}00`);
  return `${country}${String(check).padStart(2, "0")}${bban}`;
}

/** The remainder modulo 97 of a string read as digits (letters as two), a few digits at a time. */
function mod97(text: string): number {
  let remainder = 0;
  for (const char of text) {
    const value = char >= "A" ? String(char.charCodeAt(0) - 55) : char;
    remainder = Number(`${remainder}${value}`) % 97;
  }
  return remainder;
}
