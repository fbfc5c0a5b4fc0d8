/**
 * What an operation does, in a canonical form. An operation id (an Idempotency-Key's, or a step's)
 * is bound to the fingerprint of the first request that used it: the same id with another
 * fingerprint is a different request and is refused, never replayed as a success — as TigerBeetle
 * answers `exists_with_different_amount`. Only what the operation does goes in (kind, wallets,
 * amounts, currency, texts); ids minted per attempt do not, so a genuine retry matches.
 */
export type FingerprintValue = string | number | boolean | null | undefined;

export function canonicalOperation(kind: string, fields: Record<string, FingerprintValue>): string {
  const sorted = Object.keys(fields)
    .sort()
    .map((name) => [name, fields[name] ?? null]);
  return JSON.stringify([kind, sorted]);
}

/**
 * A request body in canonical form: JSON with its object keys sorted at every depth and its numbers
 * as JavaScript writes them (100.0 and 1e2 are 100), so that key order, whitespace and number
 * spelling never make one request two. Text that is not JSON is kept as it is.
 */
export function canonicalBody(text: string): string {
  try {
    return canonicalJson(JSON.parse(text)) ?? text;
  } catch {
    return text;
  }
}

/**
 * A value as JSON with its object keys sorted at every depth (metadata in a fingerprint);
 * undefined stays undefined, as JSON.stringify leaves it, so fingerprints without it are unchanged.
 */
export function canonicalJson(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
