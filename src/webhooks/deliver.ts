import { openSecret } from "../crypto/sealed-secret";
import type { Database } from "../db/client";
import type { EventRow } from "../db/events";
import { disableEndpoint, insertDelivery, type DeliveryRow, type EndpointRow } from "../db/webhooks";
import { toIsoSeconds } from "../domain/clock";
import { endpointUrlProblem } from "./endpoint-url";
import { retryDelaySeconds } from "./schedule";
import { newDeliveryId, signatureHeader } from "./signing";

/** A receiver gets 15 s to answer; what it says is kept up to 1 KB. */
const TIMEOUT_MS = 15_000;
const EXCERPT_CHARS = 1024;

export type DeliveryVerdict = { ack: true } | { ack: false; delay_seconds: number | undefined };

/** The body every receiver gets: the event, as GET /events/{id} shows it. */
export function eventBody(event: EventRow) {
  return {
    id: event.id,
    object: "event" as const,
    type: event.type,
    created_at: toIsoSeconds(event.created_at_ms),
    livemode: event.mode === "live",
    data: JSON.parse(event.data) as Record<string, unknown>,
    request: { id: event.request_id, idempotency_key: event.idempotency_key },
  };
}

/**
 * One attempt to deliver an event to an endpoint, signed per Standard Webhooks and logged. 2xx:
 * done. 410 Gone: the endpoint is disabled. Otherwise the message is retried on the schedule; after
 * the last attempt it goes on to the dead-letter queue. A live endpoint's URL is checked again
 * before every attempt, so it can never be turned into a request inside our network.
 */
export async function deliver(
  db: Database,
  data_key: string,
  event: EventRow,
  endpoint: EndpointRow,
  attempt: number,
  retry_scale = 1,
): Promise<DeliveryVerdict> {
  const now_ms = Date.now();
  const log = (row: Partial<DeliveryRow> & Pick<DeliveryRow, "outcome">) =>
    insertDelivery(db, {
      id: newDeliveryId(),
      endpoint_id: endpoint.id,
      event_id: event.id,
      merchant_id: event.merchant_id,
      mode: event.mode,
      attempt,
      response_status: null,
      latency_ms: null,
      response_excerpt: null,
      attempted_at_ms: now_ms,
      next_retry_at_ms: null,
      ...row,
    });

  if (endpoint.status !== "enabled") {
    await log({ outcome: "skipped", response_excerpt: `endpoint ${endpoint.status}` });
    return { ack: true };
  }
  const problem = endpointUrlProblem(endpoint.url, endpoint.mode);
  if (problem) {
    await log({ outcome: "skipped", response_excerpt: problem });
    return { ack: true };
  }

  const body = JSON.stringify(eventBody(event));
  const timestamp = Math.floor(now_ms / 1000);
  const response = await post(endpoint, await secretsOf(endpoint, data_key, now_ms), event.id, timestamp, body);
  if (response.status !== null && response.status >= 200 && response.status < 300) {
    await log({
      outcome: "succeeded",
      response_status: response.status,
      latency_ms: response.latency_ms,
      response_excerpt: response.excerpt,
    });
    return { ack: true };
  }
  if (response.status === 410) {
    await disableEndpoint(db, endpoint.id, "The receiver answered 410 Gone", toIsoSeconds(now_ms));
    await log({ outcome: "failed", response_status: 410, latency_ms: response.latency_ms, response_excerpt: response.excerpt });
    return { ack: true };
  }
  const delay = retryDelaySeconds(attempt, Math.random, retry_scale);
  await log({
    outcome: delay === null ? "failed" : "retrying",
    response_status: response.status,
    latency_ms: response.latency_ms,
    response_excerpt: response.excerpt,
    next_retry_at_ms: delay === null ? null : now_ms + delay * 1000,
  });
  // After the last attempt the queue hands the message to the dead-letter queue.
  return { ack: false, delay_seconds: delay ?? undefined };
}

/** The current secret, and the previous one while a rotation lets it sign too. */
async function secretsOf(endpoint: EndpointRow, data_key: string, now_ms: number): Promise<string[]> {
  const secrets = [await openSecret(endpoint.secret_sealed, data_key)];
  if (endpoint.previous_secret_sealed && (endpoint.previous_secret_expires_at_ms ?? 0) > now_ms)
    secrets.push(await openSecret(endpoint.previous_secret_sealed, data_key));
  return secrets;
}

async function post(endpoint: EndpointRow, secrets: string[], id: string, timestamp: number, body: string) {
  const started = Date.now();
  try {
    const res = await fetch(endpoint.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "MazadWallet-Webhooks/1.0",
        "webhook-id": id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": await signatureHeader(secrets, id, timestamp, body),
      },
      body,
      // A redirect could lead anywhere, including inside a network: it counts as a failure.
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const excerpt = (await res.text()).slice(0, EXCERPT_CHARS);
    return { status: res.status, latency_ms: Date.now() - started, excerpt };
  } catch (error) {
    const reason = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} s` : String(error);
    return { status: null, latency_ms: Date.now() - started, excerpt: reason.slice(0, EXCERPT_CHARS) };
  }
}
