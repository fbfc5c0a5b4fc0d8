/**
 * Every event type, in one place: what objects record, what endpoints subscribe to, what GET
 * /events filters by. Payment and checkout events come from the payment objects, hold and transfer
 * events from the wallets, user.synced from the registry.
 */
export const EVENT_TYPES = [
  "checkout.authorized",
  "checkout.expired",
  "checkout.canceled",
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "payment_intent.canceled",
  "payment.captured",
  "payment.voided",
  "payment.expired",
  "payment.refunded",
  "payment.partially_refunded",
  "hold.created",
  "hold.released",
  "hold.captured",
  "hold.expired",
  "transfer.completed",
  "user.synced",
] as const;

export type AnyEventType = (typeof EVENT_TYPES)[number];

/** An event as it leaves the object that recorded it, on its way to the events index and the endpoints. */
export interface EventMessage {
  id: string;
  merchant_id: string;
  mode: "sandbox" | "live";
  type: AnyEventType;
  /** The object's snapshot (and, for refunds, the refund), as JSON. */
  data: string;
  request_id: string | null;
  idempotency_key: string | null;
  created_at_ms: number;
}

/** Whether an endpoint subscribed to `["*"]` or a list of types wants this one. */
export function subscribes(subscribed: readonly string[], type: string): boolean {
  return subscribed.includes("*") || subscribed.includes(type);
}
