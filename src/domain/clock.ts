/**
 * All time comes from a Clock, so tests and the sandbox can move it
 * (auth expiry, HMAC windows, idempotency retention, intent and hold expiry).
 */
export interface Clock {
  now_ms(): number;
}

export const systemClock: Clock = { now_ms: () => Date.now() };

export function offsetClock(base: Clock, offset_seconds: number): Clock {
  return { now_ms: () => base.now_ms() + offset_seconds * 1000 };
}

/** ISO 8601 UTC with second precision, the API's timestamp format. */
export function toIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
