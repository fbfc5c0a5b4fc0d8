import { createHash } from "node:crypto";

/**
 * Prefixed random ids: never sequential, never guessable.
 * 16 base62 characters carry ~95 bits of entropy; secrets use 32 (~190 bits).
 */
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_LENGTH = 16;

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
  event: "evt_",
} as const;

export function newId(kind: keyof typeof ID_PREFIXES): string {
  return ID_PREFIXES[kind] + randomBase62(RANDOM_LENGTH);
}

/**
 * Holds and transfers live in a wallet object, and their ids say which: `hld_` + the wallet's 16
 * characters + 16 random ones. A request for a hold goes straight to its wallet with no lookup
 * (docs/architecture.md, "The hot path"); the wallet itself answers a caller who does not own it with not-found.
 */
type WalletScoped = "hold" | "transfer";
const USER_WALLET_ID = /^wal_([0-9A-Za-z]{16})$/;

export function newWalletScopedId(kind: WalletScoped, wallet_id: string): string {
  const match = USER_WALLET_ID.exec(wallet_id);
  if (!match) throw new Error(`${kind} ids are minted only in user wallets, not in ${wallet_id}`);
  return ID_PREFIXES[kind] + match[1] + randomBase62(RANDOM_LENGTH);
}

/** The wallet a hold or transfer id lives in, or null when the id is not one of ours. */
export function walletOfScopedId(kind: WalletScoped, id: string): string | null {
  const match = new RegExp(`^${ID_PREFIXES[kind]}([0-9A-Za-z]{16})[0-9A-Za-z]{16}$`).exec(id);
  return match ? `${ID_PREFIXES.wallet}${match[1]}` : null;
}

/**
 * A checkout, its payment and its refunds live in one payment object, named by a 16-character
 * key that every one of their public ids carries: `cs_test_<key>` or `pi_<key>`, `pay_test_<key>`,
 * `rfn_<key><8 random>`. With an Idempotency-Key the object key is derived from it, so a retried
 * create reaches the same object, which replays or refuses it.
 */
export const OBJECT_KEY_LENGTH = 16;
type TestOrLive = "test" | "live";
const testOrLive = (mode: "sandbox" | "live"): TestOrLive => (mode === "live" ? "live" : "test");

export function checkoutIds(object_key: string, mode: "sandbox" | "live") {
  const m = testOrLive(mode);
  return { session: `cs_${m}_${object_key}`, intent: `pi_${object_key}`, payment: `pay_${m}_${object_key}` };
}

export function newRefundId(object_key: string): string {
  return `rfn_${object_key}${randomBase62(8)}`;
}

/** A payout lives in its own object, named by the 16 characters its id carries: `po_test_<key>`. */
export function payoutId(object_key: string, mode: "sandbox" | "live"): string {
  return `po_${testOrLive(mode)}_${object_key}`;
}

/** The object key of any checkout, payment, refund or payout id; null when the id is not one of ours. */
export function objectKeyOf(id: string, kind: "session" | "intent" | "payment" | "refund" | "payout"): string | null {
  const patterns = {
    payout: /^po_(?:test|live)_([0-9A-Za-z]{16})$/,
    session: /^cs_(?:test|live)_([0-9A-Za-z]{16})$/,
    intent: /^pi_([0-9A-Za-z]{16})$/,
    payment: /^pay_(?:test|live)_([0-9A-Za-z]{16})$/,
    refund: /^rfn_([0-9A-Za-z]{16})[0-9A-Za-z]{8}$/,
  };
  return patterns[kind].exec(id)?.[1] ?? null;
}

/**
 * An event's id, derived from the fact it records (`type` and what changed), so that recording a
 * fact twice can only ever give one id: one event in the index, one `webhook-id`. SHA-256 keeps the
 * id opaque; 24 base62 characters keep collisions out of reach.
 */
export function eventIdOf(fact: string): string {
  return ID_PREFIXES.event + base62FromBytes(createHash("sha256").update(fact).digest(), EVENT_ID_LENGTH);
}
const EVENT_ID_LENGTH = 24;

/** Base62 characters drawn from bytes (a hash), for ids that must be the same on every retry. */
export function base62FromBytes(bytes: Uint8Array, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += ALPHABET[bytes[i % bytes.length]! % ALPHABET.length];
  return out;
}
