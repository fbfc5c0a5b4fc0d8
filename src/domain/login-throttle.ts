/**
 * Login throttling that slows password guessing without letting anyone lock an owner out:
 * - failed attempts are counted per (email, client IP): 10 per 15 minutes;
 * - and per email over all IPs, with a higher ceiling: 100 per 15 minutes, which stops a
 *   distributed guesser; an IP that logged in to this account successfully within 30 days is not
 *   held to that ceiling, so an attacker filling it cannot shut the owner out from their usual network.
 * An attempt counts as a failure from the moment it starts until it succeeds, so concurrent
 * guesses cannot slip past the count.
 */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_FAILURES_PER_IP = 10;
export const LOGIN_FAILURES_PER_EMAIL = 100;
export const KNOWN_IP_MS = 30 * 24 * 3600 * 1000;

export interface LoginCounts {
  failures_from_ip: number;
  failures_for_email: number;
  ip_known: boolean;
  /** When the oldest counted failure leaves the window, for Retry-After. */
  oldest_from_ip_ms: number | null;
  oldest_for_email_ms: number | null;
}

export type LoginDecision = { allowed: true } | { allowed: false; retry_at_ms: number; scope: "ip" | "email" };

export function decideLogin(counts: LoginCounts, now_ms: number): LoginDecision {
  if (counts.failures_from_ip >= LOGIN_FAILURES_PER_IP) {
    return { allowed: false, scope: "ip", retry_at_ms: (counts.oldest_from_ip_ms ?? now_ms) + LOGIN_WINDOW_MS };
  }
  if (!counts.ip_known && counts.failures_for_email >= LOGIN_FAILURES_PER_EMAIL) {
    return { allowed: false, scope: "email", retry_at_ms: (counts.oldest_for_email_ms ?? now_ms) + LOGIN_WINDOW_MS };
  }
  return { allowed: true };
}
