/**
 * Prefixed random ids (DESIGN.md): never sequential, never guessable.
 * 16 base62 characters carry ~95 bits of entropy; secrets use 32 (~190 bits).
 */
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function randomBase62(length: number): string {
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  const limit = 256 - (256 % ALPHABET.length);
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}

export const ID_PREFIXES = {
  account: "acct_",
  user: "mzd_usr_",
  wallet: "wal_",
  api_key: "key_",
  signing_key: "mk_",
  request: "req_",
  transaction: "txn_",
  hold: "hld_",
  transfer: "trf_",
  top_up: "top_",
} as const;

export function newId(kind: keyof typeof ID_PREFIXES): string {
  return ID_PREFIXES[kind] + randomBase62(16);
}
