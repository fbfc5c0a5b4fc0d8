import { database } from "../db/client";
import { listDueCheckouts } from "../db/payments";
import type { Clock } from "../domain/clock";
import { objectKeyOf } from "../domain/ids";
import type { MerchantCaller } from "../domain/callers";
import { merchantPaymentCall, paymentStub } from "./payments";

/** How many due checkouts one clock move fires; a move past more fires the rest as they are next read or by their alarms. */
const MAX_FIRED = 500;

/**
 * After a sandbox clock move, the checkouts whose deadline (expiry, or the 7-day auto-void of their
 * payment) has now passed fire at once, with their events, as if the time had passed — found
 * through the D1 index, which trails each object by a moment.
 */
export async function fireDueCheckouts(env: Env, merchant: MerchantCaller, clock: Clock, request_id: string): Promise<void> {
  const due = await listDueCheckouts(database(env.DB), merchant.merchant_id, merchant.mode, clock.now_ms(), MAX_FIRED);
  await Promise.all(
    due.map((id) => {
      const key = objectKeyOf(id, id.startsWith("pi_") ? "intent" : "session");
      return key ? paymentStub(env, key).runDue(merchantPaymentCall(merchant, clock, { request_id })) : undefined;
    }),
  );
}
