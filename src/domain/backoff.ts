/**
 * Capped exponential backoff with full jitter, for outbox redelivery (and later webhooks).
 * attempt 1 → up to base, attempt n → up to min(cap, base × 2^(n-1)); never less than base / 2,
 * so retries do not hammer a recovering object.
 */
export function backoffDelayMs(attempt: number, random: () => number = Math.random, base_ms = 1_000, cap_ms = 5 * 60_000): number {
  const ceiling = Math.min(cap_ms, base_ms * 2 ** Math.max(0, attempt - 1));
  return Math.round(base_ms / 2 + random() * (ceiling - base_ms / 2));
}
