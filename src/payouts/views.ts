import { toIsoSeconds } from "../domain/clock";
import { destinationView } from "../domain/payout-destination";
import { arrivalAt, type PayoutState, type PayoutStatus } from "../domain/payout-machine";
import type { PayoutFailureCode } from "../domain/sandbox-rail";

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : toIsoSeconds(ms));

/** Why a payout failed or came back, in words a merchant can pass on to the seller. */
export const FAILURE_MESSAGES: Record<PayoutFailureCode, string> = {
  account_closed: "The destination account is closed.",
  invalid_account: "No account exists at this destination.",
  insufficient_rail_balance: "The payout rail could not fund the payout; nothing left your wallet. Try again later.",
};

/** What the API (and the events) show of a payout; only a shown one (its hold placed) has a view. */
export function payoutView(state: PayoutState & { phase: PayoutStatus }) {
  const code = state.failure_code;
  return {
    id: state.id,
    object: "payout" as const,
    status: state.phase,
    amount: state.amount,
    fee_amount: state.fee?.amount ?? 0,
    currency: state.currency,
    user_id: state.user_id,
    destination: destinationView(state.destination),
    description: state.description,
    metadata: state.metadata,
    failure_code: code,
    failure_message: code === null ? null : FAILURE_MESSAGES[code],
    arrival_date: iso(arrivalAt(state)),
    created_at: toIsoSeconds(state.created_at_ms),
    in_transit_at: iso(state.reached_at_ms.in_transit),
    paid_at: iso(state.reached_at_ms.paid),
    failed_at: iso(state.reached_at_ms.failed),
    canceled_at: iso(state.reached_at_ms.canceled),
    returned_at: iso(state.reached_at_ms.returned),
  };
}

export type PayoutView = ReturnType<typeof payoutView>;
