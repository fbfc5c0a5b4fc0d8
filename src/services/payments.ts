import { objectKeyOf } from "../domain/ids";
import type { Clock } from "../domain/clock";
import type { MerchantCaller } from "../domain/callers";
import { ApiError, notFound } from "../domain/errors";
import { guardedStub } from "../objects/object-capacity";
import type { PaymentDO } from "../payments/payment-do";
import type { PaymentCall } from "../payments/types";

/**
 * The payment object a checkout, payment or refund id leads to, without a lookup
 * (docs/architecture.md, "Payments live in objects").
 */
export function paymentStub(env: Env, object_key: string): DurableObjectStub<PaymentDO> {
  const stub = env.PAYMENT.get(env.PAYMENT.idFromName(object_key)) as DurableObjectStub<PaymentDO>;
  return guardedStub(`payment:${object_key}`, stub);
}

/** The object for an id of the given kind, or a 404 naming the parameter when it is none of ours. */
export function paymentObjectFor(env: Env, id: string, kind: "session" | "intent" | "payment", param = "id") {
  const key = objectKeyOf(id, kind);
  if (!key) throw notFound(kind === "session" ? "checkout session" : kind === "intent" ? "payment intent" : "payment", param);
  return paymentStub(env, key);
}

/** A merchant's call to an object: who asks, on whose clock, caused by which request. */
type MerchantCall = PaymentCall & Required<Pick<PaymentCall, "owner" | "clock_offset_ms">>;

export function merchantPaymentCall(
  merchant: MerchantCaller,
  clock: Clock,
  cause: { request_id: string; idempotency_key?: string | null },
): MerchantCall {
  const call: MerchantCall = {
    now_ms: clock.now_ms(),
    clock_offset_ms: clock.offset_ms,
    owner: { merchant_id: merchant.merchant_id, mode: merchant.mode },
    request_id: cause.request_id,
  };
  if (cause.idempotency_key !== undefined && cause.idempotency_key !== null) call.idempotency_key = cause.idempotency_key;
  return call;
}

/**
 * A buyer's call from the hosted page or a native app: the client secret is the credential, and the
 * checkout must be the one named; the object keeps the merchant's clock.
 */
export function buyerPaymentCall(checkout_id: string, client_secret: string, request_id: string): PaymentCall {
  return { now_ms: Date.now(), checkout_id, client_secret, request_id };
}
