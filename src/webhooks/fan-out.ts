import type { Database } from "../db/client";
import { markFannedOut, type EventRow } from "../db/events";
import { enabledEndpointsOf, type EndpointRow } from "../db/webhooks";
import { subscribes } from "../domain/events";
import type { WebhookMessage } from "../domain/events";
import { chunks } from "../domain/chunks";

/** Queues take at most 100 messages per batch. */
const SEND_BATCH = 100;

/**
 * One delivery message per (event, subscribed enabled endpoint), then the events are marked fanned
 * out: a queue batch's worth of events costs one endpoint query, its sends and one update, however
 * many events it holds. A crash in between fans them out again later: receivers may see a delivery
 * twice, with the same webhook-id, and drop the repeat.
 */
export async function fanOut(db: Database, queue: Queue, events: EventRow[], now_ms: number): Promise<number> {
  if (events.length === 0) return 0;
  const scopes = new Map(events.map((e) => [`${e.merchant_id}:${e.mode}`, { merchant_id: e.merchant_id, mode: e.mode }]));
  const endpoints = await enabledEndpointsOf(db, [...scopes.values()]);
  const messages = events.flatMap((event) =>
    endpoints
      .filter(
        (e) => e.merchant_id === event.merchant_id && e.mode === event.mode && subscribes(JSON.parse(e.events) as string[], event.type),
      )
      .map((e) => deliveryMessage(event.id, e)),
  );
  await sendAll(queue, messages);
  await markFannedOut(
    db,
    events.map((e) => e.id),
    now_ms,
  );
  return messages.length;
}

export async function queueDeliveries(queue: Queue, event_id: string, endpoints: Pick<EndpointRow, "id">[]): Promise<void> {
  await sendAll(
    queue,
    endpoints.map((e) => deliveryMessage(event_id, e)),
  );
}

function deliveryMessage(event_id: string, endpoint: Pick<EndpointRow, "id">) {
  return { body: { kind: "delivery", event_id, endpoint_id: endpoint.id } satisfies WebhookMessage };
}

async function sendAll(queue: Queue, messages: { body: WebhookMessage }[]): Promise<void> {
  for (const batch of chunks(messages, SEND_BATCH)) await queue.sendBatch(batch);
}
