import { database } from "../db/client";
import { upsertPayoutIndex } from "../db/payouts";
import { isShown, nextRailAt, type PayoutState } from "../domain/payout-machine";
import type { DocumentStore } from "../objects/document-store";
import { ObjectIndex } from "../objects/object-index";
import type { PayoutStep } from "./types";

/** The payout's row in the D1 index (GET /payouts, and what a sandbox clock move fires); a payout never created has none. */
export function payoutIndex(env: Env, store: DocumentStore<PayoutState, PayoutStep>): ObjectIndex<PayoutState> {
  return new ObjectIndex(
    store,
    (state) => (isShown(state) ? upsertPayoutIndex(database(env.DB), indexRow(state)) : Promise.resolve()),
    "payout_index_failed",
  );
}

function indexRow(state: PayoutState & { phase: string }) {
  const { id, merchant_id, mode, user_id, amount, currency, version, created_at_ms, updated_at_ms } = state;
  return {
    id,
    merchant_id,
    mode,
    user_id,
    status: state.phase,
    amount,
    currency,
    next_rail_at_ms: nextRailAt(state),
    version,
    created_at_ms,
    updated_at_ms,
  };
}
