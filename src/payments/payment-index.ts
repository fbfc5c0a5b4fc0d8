import type { CheckoutState } from "../domain/checkout-machine";
import { database } from "../db/client";
import { upsertPaymentIndex } from "../db/payments";
import { ObjectIndex } from "../objects/object-index";
import { indexRows } from "./index-rows";
import type { PaymentStore } from "./payment-store";

/** The checkout's rows (and its payment's) in the D1 index, kept up to date by the kernel's ObjectIndex. */
export function paymentIndex(env: Env, store: PaymentStore): ObjectIndex<CheckoutState> {
  return new ObjectIndex(store, (state) => upsertPaymentIndex(database(env.DB), indexRows(state)), "payment_index_failed");
}
