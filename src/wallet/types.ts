import type { Currency } from "../domain/currencies";
import type { EntryType } from "../domain/ledger";

/** What every call tells the object: which wallet it is (objects are addressed by name) and the caller's clock. */
export interface CallContext {
  wallet_id: string;
  now_ms: number;
  /** How far the caller's clock runs ahead of real time, so the alarm can keep the caller's time. */
  clock_offset_ms?: number;
  /** The owning merchant and mode, when the caller knows them: a sandbox wallet's alarm reads its merchant's clock. */
  owner?: { merchant_id: string; mode: "sandbox" | "live" };
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
  currency: Currency;
  amount: number;
  captured_amount: number;
  status: HoldStatus;
  reference: string | null;
  description: string | null;
  expires_at: string | null;
  created_at: string;
  resolved_at: string | null;
}

/** A business refusal, returned (not thrown) so it crosses RPC intact. */
export interface Refusal {
  ok: false;
  code: "insufficient_funds" | "hold_not_found" | "hold_not_active" | "amount_exceeds_hold";
  message: string;
}

export type Outcome<T> = ({ ok: true } & T) | Refusal;

export interface MoveRequest {
  operation_id: string;
  currency: Currency;
  amount: number;
  description: string | null;
  reference: string | null;
}

/** A credit travelling from another wallet's outbox; its operation id makes redelivery a no-op. */
export interface IncomingCredit {
  operation_id: string;
  kind: "transfer" | "settlement" | "commission";
  entry_type: "credit" | "refund";
  currency: Currency;
  amount: number;
  description: string | null;
  reference: string | null;
  merchant_id: string | null;
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
  commission_received: Record<string, number>;
}
