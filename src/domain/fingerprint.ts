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
