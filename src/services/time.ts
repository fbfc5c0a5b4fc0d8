import { toIsoSeconds, type Clock } from "../domain/clock";
import { ApiError } from "../http/errors";

/**
 * A client-given instant that must lie ahead of the merchant's clock, kept to the second the API
 * shows. When a sandbox clock has been moved, a refusal says so: an instant in the future by the
 * wall clock may already be past on the sandbox's.
 */
export function futureInstantMs(iso: string, clock: Clock, rule: { max_seconds: number; param: string }): number {
  const at_ms = Math.floor(Date.parse(iso) / 1000) * 1000;
  const now_ms = clock.now_ms();
  if (at_ms > now_ms && at_ms <= now_ms + rule.max_seconds * 1000) return at_ms;
  const sandbox = clock.offset_ms === 0 ? "" : ` Your sandbox clock reads ${toIsoSeconds(now_ms)}, ${Math.round(clock.offset_ms / 1000)} s ahead of real time (POST /api/v1/sandbox/clock).`;
  throw new ApiError("parameter_invalid", `${rule.param} must be in the future and at most ${rule.max_seconds / 86_400} days ahead.${sandbox}`, rule.param);
}
