import type { EventCourier } from "../objects/event-courier";
import type { ObjectClock } from "../objects/object-clock";
import type { HoldStore } from "./hold-store";
import type { MoveStore } from "./move-store";

/** How long a wallet waits for what: tuned figures, each with the reason for its value. */

/** How soon the alarm re-checks the outbox after a write, in case the immediate delivery is lost. */
export const OUTBOX_BACKSTOP_MS = 5_000;
/** How long a transfer waits for its recipient's credit before answering `processing`; a repeat meanwhile is told to retry. */
export const TRANSFER_AWAIT_MS = 30_000;
/**
 * Events wait this long before they are sent, so that on a busy wallet one queue send (and one
 * outbox update) carries the events of many writes instead of one each: profiled, sending per
 * write was a sixth of a hot wallet's CPU. Webhooks arrive that much later. (The events are
 * already durable in the outbox; a crash meanwhile leaves them to the alarm.)
 */
export const FORWARD_COALESCE_MS = 25;

/**
 * A wallet's deadlines, for its one alarm: the earliest hold expiry (on the owner's clock), an
 * outbox retry (a credit due now is being delivered already: the alarm only backs that up, a
 * moment later), and events still to forward. Real times, in ms.
 */
export function walletDeadlines(real_now_ms: number, holds: HoldStore, moves: MoveStore, clock: ObjectClock, courier: EventCourier) {
  const expiry = holds.nextExpiry();
  const attempt = moves.nextAttempt();
  return {
    hold_expiry: expiry === null ? null : clock.toRealMs(expiry),
    outbox_retry: attempt === null ? null : Math.max(clock.toRealMs(attempt), real_now_ms + OUTBOX_BACKSTOP_MS),
    events: courier.backstopAt(real_now_ms),
  };
}
