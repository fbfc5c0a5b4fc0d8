import { database } from "../db/client";
import { findEvent, insertEvents, unfannedEvents } from "../db/events";
import { findEndpoint, insertDelivery } from "../db/webhooks";
import { deliver } from "./deliver";
import { fanOut } from "./fan-out";
import { retryScale } from "./schedule";
import type { WebhookMessage } from "../domain/events";
import { newDeliveryId } from "./signing";

/** When recording or fanning out fails (D1 unavailable, say), the message comes back this much later. */
const RECORD_RETRY_SECONDS = 5;

/**
 * The queues' consumer. Events forwarded by objects (`mazad-events`) are recorded in the events
 * index in one D1 batch and fanned out into one delivery message per subscribed endpoint
 * (`mazad-webhooks`); each delivery is attempted, logged, and acked or retried on its own with the
 * schedule's delay. Apart, a slow merchant server never holds up the events index. The
 * dead-letter queue's consumer records that a delivery was given up.
 */
export async function consumeWebhookBatch(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  if (batch.queue.endsWith("-dlq")) return consumeDeadLetters(batch, env);
  const db = database(env.DB);
  await Promise.all([
    recordAndFanOut(env, db, batch.messages.filter(isEvent)),
    ...batch.messages.filter(isDelivery).map((m) => deliverOne(env, db, m)),
  ]);
}

type EventMessage = Message<Extract<WebhookMessage, { kind: "event" | "fan_out" }>>;
type EventMessages = EventMessage[];
type DeliveryMessage = Message<Extract<WebhookMessage, { kind: "delivery" }>>;
const isDelivery = (m: Message<WebhookMessage>): m is DeliveryMessage => m.body.kind === "delivery";
const isEvent = (m: Message<WebhookMessage>): m is EventMessage => !isDelivery(m);

/** Records the events and fans them out; on failure they come back later (or `onFailure` decides). */
async function recordAndFanOut(env: Env, db: ReturnType<typeof database>, messages: EventMessages, onFailure = retryLater): Promise<void> {
  if (messages.length === 0) return;
  try {
    await insertEvents(
      db,
      messages.flatMap((m) => (m.body.kind === "event" ? [m.body.event] : [])),
    );
    const ids = messages.map((m) => (m.body.kind === "event" ? m.body.event.id : m.body.event_id));
    await fanOut(db, env.WEBHOOKS, await unfannedEvents(db, ids), Date.now());
    for (const m of messages) m.ack();
  } catch (error) {
    onFailure(error, messages);
  }
}

function retryLater(error: unknown, messages: EventMessages): void {
  console.error(JSON.stringify({ webhook_events_failed: String(error), count: messages.length }));
  for (const m of messages) m.retry({ delaySeconds: RECORD_RETRY_SECONDS });
}

async function deliverOne(env: Env, db: ReturnType<typeof database>, message: DeliveryMessage): Promise<void> {
  try {
    const [event, endpoint] = await Promise.all([findEvent(db, message.body.event_id), findEndpoint(db, message.body.endpoint_id)]);
    // A deleted endpoint (or an event past its retention) has nothing left to deliver.
    if (!event || !endpoint) return message.ack();
    const verdict = await deliver(
      db,
      env.DATA_ENCRYPTION_KEY,
      event,
      endpoint,
      message.attempts,
      retryScale((env as { WEBHOOK_RETRY_SCALE?: string }).WEBHOOK_RETRY_SCALE),
    );
    if (verdict.ack) message.ack();
    else message.retry(verdict.delay_seconds === undefined ? undefined : { delaySeconds: verdict.delay_seconds });
  } catch (error) {
    console.error(
      JSON.stringify({ webhook_delivery_failed: String(error), event_id: message.body.event_id, endpoint_id: message.body.endpoint_id }),
    );
    message.retry({ delaySeconds: RECORD_RETRY_SECONDS });
  }
}

/**
 * What reaches the dead-letter queue. A delivery was given up: the log says so. An event that could
 * not be recorded (D1 down for the events queue's whole retry budget) gets one more try here, since
 * its object has already counted it as forwarded; if that fails too it is logged in full, so it
 * can be replayed by hand.
 */
async function consumeDeadLetters(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const db = database(env.DB);
  await recordAndFanOut(env, db, batch.messages.filter(isEvent), (error, messages) => {
    for (const m of messages) console.error(JSON.stringify({ webhook_event_lost: String(error), attempts: m.attempts, body: m.body }));
    for (const m of messages) m.ack();
  });
  for (const message of batch.messages.filter(isDelivery)) {
    const body = message.body;
    try {
      const endpoint = await findEndpoint(db, body.endpoint_id);
      if (endpoint) {
        await insertDelivery(db, {
          id: newDeliveryId(),
          endpoint_id: body.endpoint_id,
          event_id: body.event_id,
          merchant_id: endpoint.merchant_id,
          mode: endpoint.mode,
          attempt: message.attempts,
          outcome: "dead_lettered",
          response_status: null,
          latency_ms: null,
          response_excerpt: "Gave up after the last attempt; POST /api/v1/events/{id}/redeliver sends it again.",
          attempted_at_ms: Date.now(),
          next_retry_at_ms: null,
        });
      }
      message.ack();
    } catch (error) {
      console.error(JSON.stringify({ webhook_dead_letter_failed: String(error), message: message.id }));
      message.retry();
    }
  }
}
