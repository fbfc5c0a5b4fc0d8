import type { Currency } from "../domain/currencies";
import type { EntryType } from "../domain/ledger";
import type { Owner } from "../domain/mode";

/** A wallet's owner: the merchant (and mode) whose user's, settlement or revenue wallet it is. */
export type WalletOwner = Owner;

/** What every call tells the object: which wallet it is (objects are addressed by name), who asks, and when. */
export interface CallContext {
  wallet_id: string;
  now_ms: number;
  /** How far the caller's clock runs ahead of real time, so the alarm can keep the caller's time. */
  clock_offset_ms?: number;
  /**
   * Who is asking. A wallet answers a caller that does not own it with not-found. Absent only on
   * calls between wallets, whose ids came from the wallets' own records.
   */
  owner?: WalletOwner;
  /**
   * True when the caller found this wallet through the registry (a user's or merchant's wallet id),
   * which proves the owner: such a call may record the owner of a wallet that has none yet. Calls
   * that reached the wallet from an id alone (a hold's, a transfer's) are never trusted to.
   */
  owner_verified?: boolean;
  /** The request that caused a change, recorded on the events it writes. */
  cause?: { request_id?: string | null; idempotency_key?: string | null };
}

export interface BalanceView {
  currency: Currency;
  available: number;
  held: number;
  total: number;
}

export interface EntryView {
  seq: number;
  id: string;
  type: EntryType;
  currency: Currency;
  amount: number;
  balance_after: number;
  held_after: number;
  description: string | null;
  reference: string | null;
  created_at: string;
}

export interface ChainEntryView extends EntryView {
  prev_hash: string;
  hash: string;
}

export type HoldStatus = "active" | "captured" | "released" | "expired";

export interface HoldView {
  id: string;
  user_id: string | null;
  currency: Currency;
  amount: number;
  captured_amount: number;
  /** Set once captured: the platform's commission and what the merchant's settlement wallet received (captured − commission). */
  commission_amount: number | null;
  merchant_amount: number | null;
  status: HoldStatus;
  reference: string | null;
  description: string | null;
  expires_at: string | null;
  created_at: string;
  resolved_at: string | null;
}

export type TransferStatus = "processing" | "succeeded";

export interface TransferView {
  id: string;
  from_user_id: string | null;
  to_user_id: string | null;
  amount: number;
  currency: Currency;
  description: string | null;
  reference: string | null;
  status: TransferStatus;
  created_at: string;
}

/** What a wallet can refuse with. */
export type WalletRefusalCode =
  | "not_found"
  | "insufficient_funds"
  | "hold_not_active"
  | "amount_exceeds_hold"
  | "idempotency_key_reused"
  | "idempotency_key_in_use"
  | "balance_limit_exceeded"
  | "limit_exceeded"
  | "parameter_invalid";

/** Every mutation names its operation: a repeat of the id is the same request, answered with the first result. */
export interface Operation {
  operation_id: string;
}

export interface MoveRequest extends Operation {
  currency: Currency;
  amount: number;
  description: string | null;
  reference: string | null;
}

/** A credit travelling from another wallet's outbox; (source wallet, operation id) makes redelivery a no-op. */
export interface IncomingCredit {
  operation_id: string;
  kind: "transfer" | "settlement" | "commission";
  entry_type: "credit" | "refund";
  currency: Currency;
  amount: number;
  description: string | null;
  reference: string | null;
}

export interface EntryFilters {
  currency?: Currency;
  type?: EntryType;
  from_ms?: number;
  to_ms?: number;
}

export interface AuditTotals {
  currency: Currency;
  total: number;
  outbox_pending: number;
  external_in: number;
  external_out: number;
  /** The full re-count of active holds agrees with the held balance (the write path checks it incrementally). */
  holds_consistent: boolean;
}
