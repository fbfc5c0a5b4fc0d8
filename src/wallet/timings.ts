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
