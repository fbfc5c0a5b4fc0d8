import type { EventMessage } from "../domain/events";

/**
 * What travels on the `webhooks` queue: an event forwarded by the object (or registry write) that
 * recorded it, or one delivery of an event to one endpoint.
 */
export type WebhookMessage = { kind: "event"; event: EventMessage } | { kind: "delivery"; event_id: string; endpoint_id: string };
