/**
 * Names a buyer reads (a merchant's name, its display name) may not carry control characters:
 * bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder what follows them, so a name
 * could make a page read as something else, and C0/C1 controls have no business in a name.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/** Why this text cannot be shown as a name; null when it can. */
export function shownTextProblem(text: string, field: string): string | null {
  return CONTROL.test(text) ? `${field} may not contain control or bidirectional-override characters.` : null;
}
