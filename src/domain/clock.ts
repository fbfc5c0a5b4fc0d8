/**
 * All time comes from a Clock, so tests and the sandbox can move it
 * (auth expiry, HMAC windows, idempotency retention, intent and hold expiry).
 */
export interface Clock {
  now_ms(): number;
  /** How far this clock runs ahead of real time (the sandbox clock); 0 for the real one. */
  readonly offset_ms: number;
}

export const systemClock: Clock = { now_ms: () => Date.now(), offset_ms: 0 };

export function offsetClock(base: Clock, offset_seconds: number): Clock {
  const offset_ms = base.offset_ms + offset_seconds * 1000;
  return { now_ms: () => Date.now() + offset_ms, offset_ms };
}

/** ISO 8601 UTC with second precision, the API's timestamp format. */
export function toIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
