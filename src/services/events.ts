import type { Database } from "../db/client";
import { findEvent } from "../db/events";
import { enabledEndpoints, findEndpoint } from "../db/webhooks";
import { notFound } from "../domain/errors";
import { subscribes } from "../domain/events";
import type { Mode } from "../domain/mode";
import { queueDeliveries } from "../webhooks/fan-out";

/**
 * Sends an event again, for the API and the dashboard alike: to one endpoint of the merchant's, or to
 * every enabled endpoint subscribed to it. Returns the endpoints it was queued for.
 */
export async function redeliverEvent(
  db: Database,
  queue: Queue,
  scope: { merchant_id: string; mode: Mode },
  event_id: string,
  endpoint_id: string | undefined,
) {
  const event = await findEvent(db, event_id, scope);
  if (!event) throw notFound("event", "id");
  let targets;
  if (endpoint_id !== undefined) {
    const endpoint = await findEndpoint(db, endpoint_id, scope);
    if (!endpoint) throw notFound("webhook endpoint", "endpoint_id");
    targets = [endpoint];
  } else {
    targets = (await enabledEndpoints(db, scope)).filter((e) => subscribes(JSON.parse(e.events) as string[], event.type));
  }
  await queueDeliveries(queue, event.id, targets);
  return { event_id: event.id, endpoints: targets.map((t) => t.id) };
}
