import { sealSecret } from "../crypto/sealed-secret";
import type { Database } from "../db/client";
import { findEndpoint, insertEndpointWithin, updateEndpoint, type EndpointRow } from "../db/webhooks";
import { toIsoSeconds } from "../domain/clock";
import { ApiError, beforeRunning, notFound } from "../domain/errors";
import { randomBase62 } from "../domain/ids";
import type { Mode } from "../domain/mode";
import { endpointUrlProblem } from "../webhooks/endpoint-url";
import { newWebhookSecret } from "../webhooks/signing";

/**
 * Webhook endpoints' rules, for the API and the dashboard alike: the URL rule of the mode, the bound
 * per merchant and mode, event lists normalised, and secrets sealed and rotated with an overlap.
 */

/** A rotated-out secret keeps signing (beside the new one) this long, so receivers can switch without missing a delivery. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;
export const MAX_ENDPOINTS = 16;

type Scope = { merchant_id: string; mode: Mode };

export function presentEndpoint(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    description: row.description,
    status: row.status,
    disabled_reason: row.disabled_reason,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function checkEndpointUrl(value: string, mode: Mode): void {
  const problem = endpointUrlProblem(value, mode);
  // A URL rule is the request's shape, checked before the route does anything: an Idempotency-Key
  // keeps no answer for it, so the corrected request runs under the same key.
  if (problem) throw beforeRunning(new ApiError("parameter_invalid", `${problem}.`, "url"));
}

const eventsJson = (events: string[]) => JSON.stringify(events.includes("*") ? ["*"] : [...new Set(events)]);

export async function requireEndpoint(db: Database, id: string, scope: Scope): Promise<EndpointRow> {
  const row = await findEndpoint(db, id, scope);
  if (!row) throw notFound("webhook endpoint", "id");
  return row;
}

export async function createEndpoint(
  db: Database,
  encryption_key: string,
  scope: Scope,
  input: { url: string; events: string[]; description?: string | undefined; now_ms: number },
) {
  checkEndpointUrl(input.url, scope.mode);
  const secret = newWebhookSecret();
  const now = toIsoSeconds(input.now_ms);
  const row: EndpointRow = {
    id: `we_${randomBase62(16)}`,
    merchant_id: scope.merchant_id,
    mode: scope.mode,
    url: input.url,
    events: eventsJson(input.events),
    description: input.description ?? null,
    status: "enabled",
    disabled_reason: null,
    secret_sealed: await sealSecret(secret, encryption_key),
    previous_secret_sealed: null,
    previous_secret_expires_at_ms: null,
    created_at: now,
    updated_at: now,
  };
  if (!(await insertEndpointWithin(db, row, MAX_ENDPOINTS)))
    throw new ApiError("parameter_invalid", `A merchant has at most ${MAX_ENDPOINTS} endpoints per mode.`, "url");
  return { row, secret };
}

export async function changeEndpoint(
  db: Database,
  id: string,
  scope: Scope,
  input: { url?: string; events?: string[]; description?: string | null; disabled?: boolean; now_ms: number },
) {
  await requireEndpoint(db, id, scope);
  if (input.url !== undefined) checkEndpointUrl(input.url, scope.mode);
  const changes: Partial<EndpointRow> = { updated_at: toIsoSeconds(input.now_ms) };
  if (input.url !== undefined) changes.url = input.url;
  if (input.events !== undefined) changes.events = eventsJson(input.events);
  if (input.description !== undefined) changes.description = input.description;
  if (input.disabled !== undefined)
    Object.assign(
      changes,
      input.disabled ? { status: "disabled", disabled_reason: "Disabled by the merchant" } : { status: "enabled", disabled_reason: null },
    );
  const row = await updateEndpoint(db, id, scope, changes);
  if (!row) throw notFound("webhook endpoint", "id");
  return row;
}

export async function rotateEndpointSecret(db: Database, encryption_key: string, id: string, scope: Scope, now_ms: number) {
  const current = await requireEndpoint(db, id, scope);
  const secret = newWebhookSecret();
  const previous_secret_expires_at_ms = now_ms + ROTATION_OVERLAP_MS;
  const row = await updateEndpoint(db, id, scope, {
    secret_sealed: await sealSecret(secret, encryption_key),
    previous_secret_sealed: current.secret_sealed,
    previous_secret_expires_at_ms,
    updated_at: toIsoSeconds(now_ms),
  });
  if (!row) throw notFound("webhook endpoint", "id");
  return { row, secret, previous_secret_expires_at: toIsoSeconds(previous_secret_expires_at_ms) };
}
