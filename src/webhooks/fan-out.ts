import type { Database } from "../db/client";
import { enabledEndpoints, type EndpointRow } from "../db/webhooks";
import { markFannedOut, type EventRow } from "../db/events";
import { subscribes } from "../domain/events";
import type { WebhookMessage } from "./messages";

/** Queues take at most 100 messages per batch. */
const SEND_BATCH = 100;

/**
 * One delivery message per (event, subscribed enabled endpoint), then the event is marked fanned
 * out. A crash in between fans it out again later: receivers may see a delivery twice, with the
 * same webhook-id, and drop the repeat.
 */
export async function fanOut(db: Database, queue: Queue, event: EventRow, now_ms: number): Promise<number> {
  const endpoints = (await enabledEndpoints(db, event)).filter((e) => subscribes(JSON.parse(e.events) as string[], event.type));
  await queueDeliveries(queue, event.id, endpoints);
  await markFannedOut(db, event.id, now_ms);
  return endpoints.length;
}

export async function queueDeliveries(queue: Queue, event_id: string, endpoints: Pick<EndpointRow, "id">[]): Promise<void> {
  for (let i = 0; i < endpoints.length; i += SEND_BATCH) {
    const batch = endpoints.slice(i, i + SEND_BATCH).map((e) => ({ body: { kind: "delivery", event_id, endpoint_id: e.id } satisfies WebhookMessage }));
    await queue.sendBatch(batch);
  }
}
