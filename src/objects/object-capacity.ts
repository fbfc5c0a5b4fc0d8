import { ApiError } from "../domain/errors";

/**
 * A bound on the requests from this isolate waiting for one Durable Object. A hot wallet serves
 * its requests one at a time; past the bound, more waiting would only turn into timeouts, so a new
 * request is answered at once with 429 `object_busy` and `Retry-After` (as Stripe answers contention
 * on one object). A platform "overloaded" error from the object becomes the same answer. The bound
 * absorbs bursts: at ≈1,500 operations a second, 256 waiting requests drain in under 200 ms.
 */
export const MAX_WAITING_PER_OBJECT = 256;
const RETRY_AFTER_SECONDS = 1;

const waiting = new Map<string, number>();

export async function withinCapacity<T>(object_id: string, call: () => Promise<T>): Promise<T> {
  const count = waiting.get(object_id) ?? 0;
  if (count >= MAX_WAITING_PER_OBJECT) throw objectBusy();
  waiting.set(object_id, count + 1);
  try {
    return await call();
  } catch (error) {
    if (isOverloaded(error)) throw objectBusy();
    throw error;
  } finally {
    const left = (waiting.get(object_id) ?? 1) - 1;
    if (left === 0) waiting.delete(object_id);
    else waiting.set(object_id, left);
  }
}

/**
 * A Durable Object stub whose every method call counts against the object's capacity in this
 * isolate. Reflect.apply: a stub's method is itself a proxy, where `.apply` would name a remote method.
 */
export function guardedStub<T extends object>(object_id: string, stub: T): T {
  return new Proxy(stub, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => withinCapacity(object_id, () => Reflect.apply(value, target, args) as Promise<unknown>);
    },
  });
}

export function waitingFor(object_id: string): number {
  return waiting.get(object_id) ?? 0;
}

function objectBusy(): ApiError {
  return new ApiError("object_busy", "This wallet or payment is handling too many requests at once; retry shortly.", undefined, {
    "Retry-After": String(RETRY_AFTER_SECONDS),
  });
}

/** Cloudflare marks an object's queue overflow with `overloaded` on the error. */
function isOverloaded(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { overloaded?: unknown }).overloaded === true;
}
