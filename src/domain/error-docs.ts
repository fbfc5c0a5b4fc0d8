import { ERROR_CATALOG, type ErrorCode } from "./errors";

/**
 * What each error code means and what the caller should do: the one source of these words. The
 * worker serves them at /docs/errors (one anchor per code, where every error body's `doc_url`
 * points), and docs/reference/errors.md says the same for readers of the repository (a test keeps
 * the two equal). A new code in the catalogue does not compile until it is described here.
 */
export interface ErrorDoc {
  /** What happened, in one sentence. */
  summary: string;
  /** What to do about it, in one sentence. */
  action: string;
}

export const ERROR_DOCS = {
  invalid_json: {
    summary:
      "The body is not JSON this API can read: malformed, not UTF-8, repeating a key in one object (`param` names it), or sent to a " +
      "route that takes no body.",
    action: "Send one JSON object in UTF-8 with each key once; send no body, or `{}`, to a route that takes none.",
  },
  parameter_missing: {
    summary: "A required field or query parameter is absent; `param` names it.",
    action: "Send it: /docs lists what each operation requires.",
  },
  parameter_invalid_type: {
    summary:
      'A value has the wrong type, such as `"amount": 99.99` or a string for a number; in a query string, also a repeated parameter.',
    action: "Send the type the operation declares; amounts are integers in the currency's minor unit.",
  },
  parameter_unknown: {
    summary: "A field or query parameter the operation does not take, often a typo; `param` names it.",
    action: "Remove it or correct its name: unknown fields are refused, never ignored.",
  },
  email_taken: {
    summary: "Registration with an email that already has an account.",
    action: "Log in with that account, or register with another email.",
  },
  weak_password: {
    summary: "Registration with a password that breaks the password rule; the message states the rule.",
    action: "Choose a password that meets it.",
  },
  authentication_required: {
    summary: "The request carries no credentials, or a signed request lacks one of its headers.",
    action: "Send `Authorization: Bearer` with a key, or all three of `X-Api-Key`, `X-Api-Timestamp` and `X-Api-Signature`.",
  },
  invalid_api_key: {
    summary: "The key is unknown or revoked.",
    action: "Use a current key of this merchant; create a new one if it was revoked.",
  },
  invalid_credentials: {
    summary: "A login with a wrong email or password.",
    action: "Check both; repeated failures are throttled (`rate_limited`).",
  },
  invalid_token: {
    summary: "The access token is invalid or expired; access tokens last one hour.",
    action: "Log in again for a new one.",
  },
  invalid_signature: {
    summary: "The HMAC signature does not match the request as the server received it.",
    action: "Sign the timestamp, the method, the path and query as sent and the SHA-256 of the raw body, with your signing secret.",
  },
  timestamp_out_of_window: {
    summary: "`X-Api-Timestamp` is more than 300 seconds away from the server's clock.",
    action: "Sign with the current Unix time in seconds, and keep your clock synchronized.",
  },
  signature_replayed: {
    summary: "This signature was already accepted once: a signature is accepted only once.",
    action: "Sign each request afresh; identical requests within one second each need a fresh `X-Api-Nonce`.",
  },
  publishable_key_not_allowed: {
    summary: "A publishable key was sent to a route that takes only a secret key or a signature.",
    action: "Call this route from your server with your secret key; a publishable key only reads a checkout, with its `client_secret`.",
  },
  sandbox_only: {
    summary: "A sandbox-only route (a top-up, the sandbox clock) was called with a live key.",
    action: "Use a `sk_sandbox_` key.",
  },
  insufficient_role: {
    summary: "Your role on this merchant does not allow this action.",
    action: "Ask an owner or an admin; only an owner grants or removes the owner role.",
  },
  client_secret_invalid: {
    summary: "The checkout's `client_secret` is wrong or missing (the hosted page, the pay API, or a read with the publishable key).",
    action: "Send the `client_secret` returned when this checkout was created.",
  },
  request_forbidden: {
    summary: "A security check refused the request, such as a form posted from another site.",
    action: "Post forms only from the pages they belong to; requests from your server with a key are not affected.",
  },
  resource_missing: {
    summary: "No such object for this key: it does not exist, or it belongs to another merchant or to the other mode.",
    action: "Check the id, and that the key's merchant and mode are those that created the object.",
  },
  route_not_found: {
    summary: "No route has this path.",
    action: "Check the path against /docs.",
  },
  method_not_allowed: {
    summary: "The path exists, but not for this method; the `Allow` header lists the methods it takes.",
    action: "Use one of the methods in `Allow`.",
  },
  payload_too_large: {
    summary: "The body is over 64 KiB.",
    action: "Send less: no request this API takes comes near the limit.",
  },
  unsupported_media_type: {
    summary: "A body was sent with a content type other than `application/json`.",
    action: "Send `Content-Type: application/json`.",
  },
  idempotency_key_in_use: {
    summary: "A request with this Idempotency-Key is still running (a registry write, or a transfer waiting for its recipient's credit).",
    action: "Send the same request again, with the same key and body, after a moment: it gets the final answer.",
  },
  payment_in_progress: {
    summary: "A capture or void of this payment is under way.",
    action: "Send the same request again after a moment.",
  },
  attempt_in_progress: {
    summary: "A pay attempt of this checkout is under way.",
    action: "Try again in a moment, or read the checkout to see how it stands.",
  },
  parameter_invalid: {
    summary:
      "A well-typed value breaks a rule (format, length, range, enum, or text that is not well-formed Unicode); `param` names the field " +
      "and the message the rule.",
    action: "Correct the value; /openapi.json states the same limits.",
  },
  idempotency_key_reused: {
    summary: "This Idempotency-Key was used for a different request; a key never replays another request's answer.",
    action: "Use a new key for a new request; to get the first request's answer, send that request unchanged.",
  },
  idempotency_key_invalid: {
    summary: "The Idempotency-Key header is empty or longer than 255 characters.",
    action: "Send 1 to 255 characters; a UUID per request is best.",
  },
  account_not_found: {
    summary: "Adding a member by an email that has no account.",
    action: "Ask them to register first, then add them.",
  },
  insufficient_funds: {
    summary: "The paying wallet's available balance (for a refund, your settlement wallet's) is less than the amount; nothing moved.",
    action: "Top up, or ask for less; held money is not available until it is released.",
  },
  hold_not_active: {
    summary: "The hold was already captured, released or expired: a hold is captured or released once.",
    action: "Read the hold for its status; a retry with the first request's Idempotency-Key gets that request's answer.",
  },
  amount_exceeds_hold: {
    summary: "A capture for more than the hold's amount.",
    action: "Capture at most the held amount; the rest is released.",
  },
  balance_limit_exceeded: {
    summary: "Money entering (a top-up, a card capture) would take your money in the system past its bound for the currency.",
    action: "Move money out first; the bound is 10^15 IQD or 10^14 USD cents per merchant and mode.",
  },
  limit_exceeded: {
    summary:
      "The move would pass a KYC limit of the user's level: a day's top-ups (sandbox or by card) or payouts, or the largest balance; " +
      "the message names the limit and what remains today.",
    action: "Wait for the next day (Baghdad time), move less, or sync the user with the KYC level you have verified.",
  },
  checkout_not_open: {
    summary: "Paying a checkout that is closed (canceled or expired), or with a method it does not take.",
    action: "Create a new checkout session or payment intent.",
  },
  payment_already_completed: {
    summary: "Paying a checkout that is already authorized.",
    action: "Read its payment; create a new checkout for a new payment.",
  },
  too_many_attempts: {
    summary: "The checkout has no payment attempts left (5 declines or wrong confirmation codes).",
    action: "Create a new checkout.",
  },
  payment_not_capturable: {
    summary: "The payment is not `authorized`: it was already captured, or it was voided or expired.",
    action: "Read the payment; a payment is captured once.",
  },
  amount_exceeds_authorization: {
    summary: "A capture for more than the authorized amount.",
    action: "Capture at most the payment's `amount`.",
  },
  payment_not_voidable: {
    summary: "The payment is not `authorized`, so there is no authorization to void.",
    action: "Read the payment; once captured, refund it instead.",
  },
  payment_not_refundable: {
    summary: "The payment is not captured, nothing is left to refund on it, or it is a wallet top-up (the money is the user's).",
    action: "Read the payment's `status`, `captured_amount` and `refunded_amount`; a top-up leaves the wallet by a payout or a transfer.",
  },
  refund_window_expired: {
    summary: "The payment was captured more than 90 days ago; refunds are possible for 90 days.",
    action: "Settle with the buyer outside the API.",
  },
  amount_exceeds_refundable: {
    summary: "A refund for more than remains: `captured_amount − refunded_amount`, less refunds under way.",
    action: "Refund at most what remains, or leave out `amount` to refund all of it.",
  },
  card_invalid: {
    summary:
      "A mistyped card (a number failing its check digit, a past expiry, a short CVC); `param` names the field, and no attempt is used.",
    action: "Correct the card and pay again.",
  },
  card_processing_unavailable: {
    summary: "A live card payment: no card processor is connected yet.",
    action: "Take card payments in sandbox for now.",
  },
  otp_unavailable: {
    summary: "A live wallet payment: no confirmation-code sender is connected yet.",
    action: "Take wallet payments in sandbox for now.",
  },
  payout_not_cancelable: {
    summary: "The payout is no longer pending: the rail has picked it up (or it is already failing, canceled or over).",
    action: "Read the payout for its status; a payout in transit ends paid or failed on its own.",
  },
  payout_rail_unavailable: {
    summary: "A live payout: no payout rail (bank or mobile-wallet disbursement) is connected yet.",
    action: "Make payouts in sandbox for now, where the sandbox rail plays them out.",
  },
  last_owner: {
    summary: "The change would leave the merchant without an owner.",
    action: "Make another member owner first.",
  },
  rate_limited: {
    summary: "Too many requests: to the transactions list (60 a minute per merchant), or failed logins for one email.",
    action: "Wait the seconds `Retry-After` gives, then retry.",
  },
  object_busy: {
    summary: "Too many requests are waiting for one wallet, payment or user at this moment.",
    action: "Send the same request again after `Retry-After`.",
  },
  internal_error: {
    summary: "A bug or an outage on the server's side, logged with the request id; the body never carries the cause.",
    action: "Retry with the same Idempotency-Key; if it persists, report the `request_id`.",
  },
  server_busy: {
    summary: "The server is at capacity: more requests are in flight in one isolate than `MAX_REQUESTS_IN_FLIGHT` allows.",
    action: "Send the same request again after `Retry-After`.",
  },
} as const satisfies Record<ErrorCode, ErrorDoc>;

/** Status, type and words of each code, in the catalogue's order: what /docs/errors shows. */
export function errorReference(): { code: ErrorCode; status: number; type: string; summary: string; action: string }[] {
  return (Object.keys(ERROR_CATALOG) as ErrorCode[]).map((code) => ({ code, ...ERROR_CATALOG[code], ...ERROR_DOCS[code] }));
}
