import { z } from "@hono/zod-openapi";
import { CHECKOUT_LOCALES } from "../domain/checkout-machine";
import { currency } from "./schemas";

/** The response shapes of checkouts, payments and refunds (payments/views.ts builds them). */

const checkoutCommon = {
  id: z.string(),
  amount: z.number().int(),
  currency,
  description: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  success_url: z.string(),
  cancel_url: z.string(),
  checkout_url: z
    .string()
    .openapi({ description: "The hosted page, client secret included: redirect the buyer here or open it in a popup" }),
  client_secret: z.string().openapi({ description: "Lets the hosted page (and only it) act for the buyer; safe in the browser" }),
  locale: z
    .enum(CHECKOUT_LOCALES)
    .openapi({ description: "The hosted page's language: `ar`, `en`, or `auto` (the buyer's Accept-Language)" }),
  expires_at: z.string(),
  payment_id: z.string().nullable().openapi({ description: "Set once authorized" }),
  created_at: z.string(),
};

export const CheckoutSession = z
  .object({
    ...checkoutCommon,
    id: z.string().openapi({ example: "cs_test_9f8a7b6c5d4e3f2a" }),
    object: z.literal("checkout.session"),
    status: z.enum(["open", "authorized", "canceled", "expired"]),
    external_user_id: z.string().nullable(),
  })
  .openapi("CheckoutSession");

const purpose = z
  .enum(["payment", "wallet_top_up"])
  .openapi({ description: "`payment` pays you; `wallet_top_up` credits the buyer's wallet (`top_up`)" });

export const TopUp = z
  .object({
    user_id: z.string(),
    external_user_id: z.string(),
    wallet_id: z.string(),
    amount: z.number().int().openapi({ description: "What the wallet receives" }),
    fee_amount: z.number().int().openapi({ description: "Your commission on `amount`, paid by `fee_bearer`" }),
    fee_bearer: z.enum(["buyer", "merchant"]).openapi({
      description:
        "`buyer`: the card is charged amount + fee_amount; `merchant`: the card is charged amount, the fee comes from your " +
        "settlement balance",
    }),
    currency,
  })
  .openapi("TopUp", { description: "What a wallet top-up credits, to whom, and its fee" });

export const PaymentIntent = z
  .object({
    ...checkoutCommon,
    id: z.string().openapi({ example: "pi_9f8a7b6c5d4e3f2a" }),
    object: z.literal("payment_intent"),
    status: z.enum(["requires_payment_method", "authorized", "canceled", "expired", "failed"]),
    attempts_remaining: z.number().int().openapi({ description: "Card attempts left of 5; at 0 the intent fails" }),
    last_decline_code: z
      .string()
      .nullable()
      .openapi({ description: "The last declined attempt's code (51, 54, N7, 05, …); null before any decline", example: "51" }),
    purpose,
    top_up: TopUp.nullable(),
  })
  .openapi("PaymentIntent");

/**
 * What a browser reads with the publishable key and the checkout's client secret (payments/views.ts,
 * checkoutBrowserView): the checkout's state and where the buyer goes next, nothing else.
 */
const browserCommon = {
  amount: z.number().int(),
  currency,
  expires_at: z.string(),
  payment_id: z.string().nullable().openapi({ description: "Set once authorized" }),
  redirect_url: z
    .string()
    .nullable()
    .openapi({
      description:
        "Where the hosted page sends the buyer in this state: the success_url (with the id) once authorized, the cancel_url once " +
        "canceled, expired or failed; null while open",
    }),
};

export const CheckoutSessionBrowserView = z
  .object({
    id: z.string().openapi({ example: "cs_test_9f8a7b6c5d4e3f2a" }),
    object: z.literal("checkout.session"),
    status: CheckoutSession.shape.status,
    ...browserCommon,
  })
  .openapi("CheckoutSessionBrowserView", { description: "A checkout session as a publishable key with its client_secret sees it" });

export const PaymentIntentBrowserView = z
  .object({
    id: z.string().openapi({ example: "pi_9f8a7b6c5d4e3f2a" }),
    object: z.literal("payment_intent"),
    status: PaymentIntent.shape.status,
    ...browserCommon,
    attempts_remaining: PaymentIntent.shape.attempts_remaining,
  })
  .openapi("PaymentIntentBrowserView", { description: "A payment intent as a publishable key with its client_secret sees it" });

export const Payment = z
  .object({
    id: z.string().openapi({ example: "pay_test_9f8a7b6c5d4e3f2a" }),
    object: z.literal("payment"),
    status: z.enum(["authorized", "captured", "partially_refunded", "refunded", "voided", "expired"]),
    method: z.enum(["wallet", "card"]),
    amount: z.number().int().openapi({ description: "Authorized" }),
    currency,
    captured_amount: z.number().int().openapi({ description: "Taken from the authorization; 0 until captured" }),
    refunded_amount: z.number().int().openapi({ description: "Refunds completed (the buyer's money back)" }),
    net_amount: z
      .number()
      .int()
      .openapi({ description: "captured_amount - refunded_amount: what remains of the capture, commission included" }),
    commission_amount: z.number().int().openapi({
      description:
        "The platform's commission kept on this payment: taken at capture, less what refunds returned (the commission on net_amount)",
    }),
    merchant_amount: z
      .number()
      .int()
      .openapi({
        description:
          "What your settlement wallet received for this payment, net of refunds: net_amount - commission_amount. For a wallet " +
          "top-up, what it kept: 0, or minus the fee when you bore it",
      }),
    description: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    checkout_id: z.string(),
    user_id: z.string().nullable(),
    external_user_id: z.string().nullable(),
    card: z.object({ brand: z.string(), last4: z.string(), exp_month: z.number().int(), exp_year: z.number().int() }).nullable(),
    purpose,
    top_up: TopUp.nullable(),
    capture_before: z.string().nullable().openapi({ description: "An authorization not captured by then is voided (status expired)" }),
    captured_at: z.string().nullable(),
    refund_before: z.string().nullable().openapi({ description: "Refunds are possible until 90 days after capture" }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Payment");

export const Refund = z
  .object({
    id: z.string().openapi({ example: "rfn_9f8a7b6c5d4e3f2am1n2o3p4" }),
    amount: z.number().int(),
    reason: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    status: z.enum(["pending", "completed", "failed"]),
    created_at: z.string(),
  })
  .openapi("Refund");

export const RefundResult = Payment.extend({ refund: Refund, refunds: z.array(Refund) }).openapi("RefundResult");

/** Where the buyer goes after paying or cancelling. */
export const redirectUrl = z.url({ protocol: /^https?$/ }).max(2048);
