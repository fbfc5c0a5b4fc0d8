import type { Currency } from "./currencies";

/**
 * The ledger's pure rules: entry types, how each moves a balance, and the hash chain.
 * Used by the wallet object when it writes, and by tests and clients when they verify.
 */
export const ENTRY_TYPES = ["credit", "debit", "hold", "release", "refund"] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

export interface Balance {
  available: number;
  held: number;
}

/** The balance moves each type allows: [available delta, held delta] per unit of amount. */
const MOVES: Record<EntryType, readonly (readonly [number, number])[]> = {
  credit: [[1, 0]],
  refund: [[1, 0]],
  hold: [[-1, 1]],
  release: [[1, -1]],
  // A debit spends available funds (a transfer, a payout) or captured held funds (a capture).
  debit: [
    [-1, 0],
    [0, -1],
  ],
};

export function isAllowedMove(type: EntryType, amount: number, before: Balance, after: Balance): boolean {
  return MOVES[type].some(([da, dh]) => after.available - before.available === da * amount && after.held - before.held === dh * amount);
}

export const GENESIS_HASH = "0".repeat(64);

export interface ChainFields {
  seq: number;
  id: string;
  wallet_id: string;
  type: EntryType;
  currency: Currency | string;
  amount: number;
  balance_after: number;
  held_after: number;
  reference: string | null;
  description: string | null;
  created_at: string;
}

/**
 * The exact bytes hashed for an entry: a JSON array, so no field can bleed into another.
 * hash = hex(SHA-256(canonicalEntry(prev_hash, entry))).
 */
export function canonicalEntry(prev_hash: string, e: ChainFields): string {
  return JSON.stringify([
    prev_hash,
    e.seq,
    e.id,
    e.wallet_id,
    e.type,
    e.currency,
    e.amount,
    e.balance_after,
    e.held_after,
    e.reference,
    e.description,
    e.created_at,
  ]);
}

export interface ChainEntry extends ChainFields {
  prev_hash: string;
  hash: string;
}

/**
 * Verifies a wallet's full history from seq 1: seq gap-free, each prev_hash the previous hash,
 * each hash recomputed, and each entry a balance move its type allows. Returns the final balances.
 */
export function verifyChain(
  entries: ChainEntry[],
  sha256Hex: (text: string) => string,
): { ok: true; balances: Map<string, Balance> } | { ok: false; seq: number; reason: string } {
  let prev_hash = GENESIS_HASH;
  const balances = new Map<string, Balance>();
  for (const [index, entry] of entries.entries()) {
    if (entry.seq !== index + 1) return { ok: false, seq: entry.seq, reason: `expected seq ${index + 1}` };
    if (entry.prev_hash !== prev_hash) return { ok: false, seq: entry.seq, reason: "prev_hash does not link" };
    if (sha256Hex(canonicalEntry(prev_hash, entry)) !== entry.hash) return { ok: false, seq: entry.seq, reason: "hash mismatch" };
    const before = balances.get(entry.currency) ?? { available: 0, held: 0 };
    const after = { available: entry.balance_after, held: entry.held_after };
    if (!isAllowedMove(entry.type, entry.amount, before, after))
      return { ok: false, seq: entry.seq, reason: "balance move does not fit the type" };
    balances.set(entry.currency, after);
    prev_hash = entry.hash;
  }
  return { ok: true, balances };
}
