/**
 * The password rule, stated once so the error message and the check cannot drift apart.
 * Length matters most; the character classes stop the commonest weak choices.
 */
export const PASSWORD_RULE =
  "Passwords need 10 to 128 characters, with at least one lowercase letter, one uppercase letter and one digit.";

export function isStrongPassword(password: string): boolean {
  return (
    password.length >= 10 &&
    password.length <= 128 &&
    /[a-z]/.test(password) &&
    /[A-Z]/.test(password) &&
    /[0-9]/.test(password)
  );
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
