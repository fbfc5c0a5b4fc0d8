import type { EventMessage } from "../domain/events";

/**
 * What travels on the `webhooks` queue: an event forwarded by the object that recorded it; a
 * request to fan out an event already in the events index (a registry event, or one the cron found
 * waiting); or one delivery of an event to one endpoint.
 */
export type WebhookMessage =
  | { kind: "event"; event: EventMessage }
  | { kind: "fan_out"; event_id: string }
  | { kind: "delivery"; event_id: string; endpoint_id: string };
