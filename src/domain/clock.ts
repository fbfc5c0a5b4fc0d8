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

/**
 * A request's clock: time read once, when the request arrived, so every timestamp the request
 * writes (created_at, expires_at, capture_before, …) comes from the same instant.
 */
export function requestClock(real_now_ms: number): Clock {
  return { now_ms: () => real_now_ms, offset_ms: 0 };
}

/**
 * The merchant's clock for this request: the sandbox offset, applied in exactly this one place. A
 * clock that already carries an offset is refused loudly: applying it twice put intents 180 days
 * ahead when a merchant had moved its clock 90.
 */
export function withSandboxOffset(base: Clock, offset_seconds: number): Clock {
  if (base.offset_ms !== 0) throw new Error("the sandbox clock offset is already applied to this request's clock");
  const offset_ms = offset_seconds * 1000;
  const now_ms = base.now_ms() + offset_ms;
  return { now_ms: () => now_ms, offset_ms };
}

/** The merchant's time now, for readings outside a request (the sandbox clock route's answer). */
export function sandboxNowMs(real_now_ms: number, offset_seconds: number): number {
  return real_now_ms + offset_seconds * 1000;
}

/** ISO 8601 UTC with second precision, the API's timestamp format. */
export function toIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Why an instant a client gave is not ahead of the merchant's clock (within `max_seconds`), or null
 * when it is. When a sandbox clock has been moved, the answer says so: an instant in the future by
 * the wall clock may already be past on the sandbox's.
 */
export function futureInstantProblem(
  at_ms: number,
  now_ms: number,
  offset_ms: number,
  rule: { max_seconds: number; param: string },
): string | null {
  if (at_ms > now_ms && at_ms <= now_ms + rule.max_seconds * 1000) return null;
  const sandbox =
    offset_ms === 0
      ? ""
      : ` Your sandbox clock reads ${toIsoSeconds(now_ms)}, ${Math.round(offset_ms / 1000)} s ahead of real time (POST ` +
        `/api/v1/sandbox/clock).`;
  return `${rule.param} must be in the future and at most ${rule.max_seconds / 86_400} days ahead.${sandbox}`;
}

/** Iraq keeps UTC+3 all year (no daylight saving since 2008): days, weekends and limits are Baghdad's. */
export const BAGHDAD_OFFSET_MS = 3 * 60 * 60 * 1000;

/** The Baghdad calendar day of an instant, `YYYY-MM-DD`. */
export function baghdadDay(at_ms: number): string {
  return new Date(at_ms + BAGHDAD_OFFSET_MS).toISOString().slice(0, 10);
}
