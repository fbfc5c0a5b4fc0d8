/**
 * Every event type, in one place: what objects record, what endpoints subscribe to, what GET
 * /events filters by. Payment and checkout events come from the payment objects, hold and transfer
 * events from the wallets (but wallet.topped_up from the card payment that topped the wallet up),
 * payout events from the payout objects, user.synced from the registry.
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
  "wallet.topped_up",
  "payout.created",
  "payout.in_transit",
  "payout.paid",
  "payout.failed",
  "payout.canceled",
  "payout.returned",
  "user.synced",
] as const;

export type AnyEventType = (typeof EVENT_TYPES)[number];

/** What a payment object records: its checkout's and its payment's events. */
export type CheckoutEventType = Extract<
  AnyEventType,
  `checkout.${string}` | `payment_intent.${string}` | `payment.${string}` | "wallet.topped_up"
>;

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

/**
 * What travels on the queues. On `mazad-events`: an event forwarded by the object that recorded
 * it, or a request to fan out an event already in the events index (a registry event, or one the
 * cron found waiting). On `mazad-webhooks`: one delivery of an event to one endpoint. (The consumer
 * sorts by kind, so a message on the other queue is still handled.)
 */
export type WebhookMessage =
  | { kind: "event"; event: EventMessage }
  | { kind: "fan_out"; event_id: string }
  | { kind: "delivery"; event_id: string; endpoint_id: string };
