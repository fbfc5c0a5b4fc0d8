import { toIsoSeconds } from "../domain/clock";
import type { Currency } from "../domain/currencies";
import type { HoldRow } from "./hold-store";
import type { EntryRow } from "./ledger-store";
import type { TransferRow } from "./move-store";
import type { ChainEntryView, EntryView, HoldView, TransferStatus, TransferView } from "./types";

/** Storage rows as the API shows them: ISO seconds for times, no internal columns. */

export function entryView(row: EntryRow): EntryView {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type,
    currency: row.currency as Currency,
    amount: row.amount,
    balance_after: row.balance_after,
    held_after: row.held_after,
    description: row.description,
    reference: row.reference,
    created_at: toIsoSeconds(row.created_at_ms),
  };
}

export function chainEntryView(row: EntryRow): ChainEntryView {
  return { ...entryView(row), prev_hash: row.prev_hash, hash: row.hash };
}

const isoOrNull = (ms: number | null) => (ms === null ? null : toIsoSeconds(ms));

export function holdView(row: HoldRow): HoldView {
  return {
    id: row.id,
    user_id: row.user_id,
    currency: row.currency as Currency,
    amount: row.amount,
    captured_amount: row.captured_amount,
    commission_amount: row.commission_amount,
    // Stored as net_amount (the column predates the name); shown under the name payments use for the same figure.
    merchant_amount: row.net_amount,
    status: row.status,
    reference: row.reference,
    description: row.description,
    expires_at: isoOrNull(row.expires_at_ms),
    created_at: toIsoSeconds(row.created_at_ms),
    resolved_at: isoOrNull(row.resolved_at_ms),
  };
}

export function transferView(row: TransferRow, status: TransferStatus): TransferView {
  return {
    id: row.id,
    from_user_id: row.from_user_id,
    to_user_id: row.to_user_id,
    amount: row.amount,
    currency: row.currency as Currency,
    description: row.description,
    reference: row.reference,
    status,
    created_at: toIsoSeconds(row.created_at_ms),
  };
}
