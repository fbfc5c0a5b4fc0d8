import type { MerchantCaller } from "../domain/callers";
import type { Clock } from "../domain/clock";
import { notFound } from "../domain/errors";
import { unwrap } from "../domain/outcome";
import { currentPaymentView } from "../payments/views";
import { merchantPaymentCall, paymentObjectFor } from "./payments";
import { platformWalletId } from "./wallets";

/**
 * What a merchant does to a payment, for the API and the dashboard alike: the payment's object
 * decides (its state machine, amounts, deadlines); this finds the object for the id and says where
 * the money goes. `cause` is the request, named on the events the change writes.
 */
export interface PaymentActor {
  env: Env;
  merchant: MerchantCaller;
  clock: Clock;
  cause: { request_id: string; idempotency_key?: string | null };
}

const PAYMENT = { what: "payment", param: "id" };

const callOf = (a: PaymentActor) => merchantPaymentCall(a.merchant, a.clock, a.cause);

/** The payment's object and what it holds, after checking the id is this payment's (a checkout id is not). */
export async function openPayment(a: PaymentActor, id: string) {
  const stub = paymentObjectFor(a.env, id, "payment");
  const found = unwrap(await stub.payment(callOf(a)), PAYMENT);
  if (found.payment.id !== id) throw notFound("payment", "id");
  return { stub, found };
}

const destinations = (merchant: MerchantCaller) => ({
  settlement_wallet_id: merchant.settlement_wallet_id,
  platform_wallet_id: platformWalletId(merchant),
});

export async function capturePayment(a: PaymentActor, id: string, input: { operation_id: string; amount: number | undefined }) {
  const { stub } = await openPayment(a, id);
  const result = await stub.capture(callOf(a), {
    operation_id: input.operation_id,
    amount: input.amount,
    commission_bps: a.merchant.commission_bps,
    ...destinations(a.merchant),
  });
  const { payment, replayed } = unwrap(result, PAYMENT);
  return { payment: currentPaymentView(payment), replayed };
}

export async function voidPayment(a: PaymentActor, id: string, operation_id: string) {
  const { stub } = await openPayment(a, id);
  const { payment, replayed } = unwrap(await stub.void(callOf(a), operation_id), PAYMENT);
  return { payment: currentPaymentView(payment), replayed };
}

export async function refundPayment(
  a: PaymentActor,
  id: string,
  input: { operation_id: string; amount: number | undefined; reason: string; metadata: Record<string, string | number | boolean | null> },
) {
  const { stub } = await openPayment(a, id);
  const result = await stub.refund(callOf(a), { ...input, ...destinations(a.merchant) });
  const { replayed, ok: _, ...answer } = unwrap(result, PAYMENT);
  return { answer: currentPaymentView(answer), replayed };
}
