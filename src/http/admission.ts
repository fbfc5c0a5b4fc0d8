import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../domain/errors";

/**
 * A bound on the requests this isolate works on at once. Past its CPU, an isolate that accepts
 * every request only makes each one slower, until callers time out and retry into the pile.
 * Shedding the excess at the door, before any authentication or parsing, costs little and keeps
 * the admitted ones within a bounded wait; the refused are told when to come back (503
 * `server_busy`, `Retry-After`), which the clients of a payments API already handle. The bound is
 * high on purpose: 1,024 requests are about two seconds of an isolate's work at the measured rates,
 * so ordinary bursts (hundreds at once from one batch job) are queued, not refused; a hot wallet's
 * own queue is bounded lower, per object (object-capacity.ts). Operators tune it with
 * MAX_REQUESTS_IN_FLIGHT (0 turns it off).
 */
export const DEFAULT_MAX_IN_FLIGHT = 1024;
const RETRY_AFTER_SECONDS = 1;

let in_flight = 0;

/** The bound from the environment, read once per request (a var, so cheap). */
export function maxInFlight(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_MAX_IN_FLIGHT;
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : DEFAULT_MAX_IN_FLIGHT;
}

export const admission = createMiddleware(async (c: Context<{ Bindings: { MAX_REQUESTS_IN_FLIGHT?: string } }>, next) => {
  const limit = maxInFlight(c.env.MAX_REQUESTS_IN_FLIGHT);
  if (limit > 0 && in_flight >= limit) {
    throw new ApiError("server_busy", `The server is at capacity; retry in ${RETRY_AFTER_SECONDS} s.`, undefined, {
      "Retry-After": String(RETRY_AFTER_SECONDS),
    });
  }
  in_flight++;
  try {
    await next();
  } finally {
    in_flight--;
  }
});
