/**
 * When a failed webhook delivery is tried again: attempt 1 at once, then 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h and 10 h after the previous failure — 8 attempts over about 28 hours — each delay
 * spread by ±10 % so a receiver coming back is not hit by every retry at the same second.
 * After the 8th attempt the message goes to the dead-letter queue.
 */
export const RETRY_DELAYS_SECONDS = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
const JITTER = 0.1;

/**
 * The delay before the next attempt after `attempt` (1-based) failed, or null when it was the last.
 * `scale` shrinks the whole schedule (the reliability harness runs 28 hours of retries in seconds).
 */
export function retryDelaySeconds(attempt: number, random: () => number = Math.random, scale = 1): number | null {
  const base = RETRY_DELAYS_SECONDS[attempt - 1];
  if (base === undefined) return null;
  return Math.max(1, Math.round(base * scale * (1 - JITTER + 2 * JITTER * random())));
}

/**
 * The operator's `WEBHOOK_RETRY_SCALE` variable: a number in (0, 1] that shrinks the schedule for
 * test environments; absent or anything else means the real schedule.
 */
export function retryScale(value: string | undefined): number {
  const scale = Number(value);
  return Number.isFinite(scale) && scale > 0 && scale <= 1 ? scale : 1;
}
