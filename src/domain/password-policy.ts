/**
 * The password rule, stated once so the error message, the check and the documented schema cannot
 * drift apart. Length matters most; the character classes stop the commonest weak choices.
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
export const PASSWORD_RULE =
  `Passwords need ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, with at least one lowercase ` +
  `letter, one uppercase letter and one digit.`;
/** The same rule as a JSON Schema (ECMA-262) pattern, for the API document. */
export const PASSWORD_PATTERN = `^(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])[\\s\\S]{${PASSWORD_MIN_LENGTH},${PASSWORD_MAX_LENGTH}}$`;

export function isStrongPassword(password: string): boolean {
  return new RegExp(PASSWORD_PATTERN).test(password);
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
