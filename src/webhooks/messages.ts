import type { EventMessage } from "../domain/events";

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
