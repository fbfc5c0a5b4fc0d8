/**
 * One error class with a closed set of codes, and one table mapping each code to its
 * HTTP status and error type (what each means and what to do: error-docs.ts). Routes throw
 * `new ApiError("code", message, param)`; the app's error handler turns it into the envelope.
 */
export const ERROR_CATALOG = {
  // 400: the request itself is malformed.
  invalid_json: { status: 400, type: "invalid_request_error" },
  parameter_missing: { status: 400, type: "invalid_request_error" },
  parameter_invalid_type: { status: 400, type: "invalid_request_error" },
  parameter_unknown: { status: 400, type: "invalid_request_error" },
  email_taken: { status: 400, type: "invalid_request_error" },
  weak_password: { status: 400, type: "invalid_request_error" },
  // 401: no or bad credentials.
  authentication_required: { status: 401, type: "authentication_error" },
  invalid_api_key: { status: 401, type: "authentication_error" },
  invalid_credentials: { status: 401, type: "authentication_error" },
  invalid_token: { status: 401, type: "authentication_error" },
  invalid_signature: { status: 401, type: "authentication_error" },
  timestamp_out_of_window: { status: 401, type: "authentication_error" },
  signature_replayed: { status: 401, type: "authentication_error" },
  // 403: authenticated, but not allowed.
  publishable_key_not_allowed: { status: 403, type: "permission_error" },
  sandbox_only: { status: 403, type: "permission_error" },
  insufficient_role: { status: 403, type: "permission_error" },
  client_secret_invalid: { status: 403, type: "permission_error" },
  request_forbidden: { status: 403, type: "permission_error" },
  // 404 / 405.
  resource_missing: { status: 404, type: "invalid_request_error" },
  route_not_found: { status: 404, type: "invalid_request_error" },
  method_not_allowed: { status: 405, type: "invalid_request_error" },
  payload_too_large: { status: 413, type: "invalid_request_error" },
  unsupported_media_type: { status: 415, type: "invalid_request_error" },
  // 409: a conflicting request is in flight.
  idempotency_key_in_use: { status: 409, type: "idempotency_error" },
  payment_in_progress: { status: 409, type: "invalid_request_error" },
  attempt_in_progress: { status: 409, type: "invalid_request_error" },
  // 422: well-typed values that break a rule.
  parameter_invalid: { status: 422, type: "invalid_request_error" },
  idempotency_key_reused: { status: 422, type: "idempotency_error" },
  idempotency_key_invalid: { status: 422, type: "idempotency_error" },
  account_not_found: { status: 422, type: "invalid_request_error" },
  insufficient_funds: { status: 422, type: "invalid_request_error" },
  hold_not_active: { status: 422, type: "invalid_request_error" },
  amount_exceeds_hold: { status: 422, type: "invalid_request_error" },
  balance_limit_exceeded: { status: 422, type: "invalid_request_error" },
  limit_exceeded: { status: 422, type: "invalid_request_error" },
  checkout_not_open: { status: 422, type: "invalid_request_error" },
  payment_already_completed: { status: 422, type: "invalid_request_error" },
  too_many_attempts: { status: 422, type: "invalid_request_error" },
  payment_not_capturable: { status: 422, type: "invalid_request_error" },
  amount_exceeds_authorization: { status: 422, type: "invalid_request_error" },
  payment_not_voidable: { status: 422, type: "invalid_request_error" },
  payment_not_refundable: { status: 422, type: "invalid_request_error" },
  refund_window_expired: { status: 422, type: "invalid_request_error" },
  amount_exceeds_refundable: { status: 422, type: "invalid_request_error" },
  card_invalid: { status: 422, type: "card_error" },
  card_processing_unavailable: { status: 422, type: "card_error" },
  otp_unavailable: { status: 422, type: "invalid_request_error" },
  payout_not_cancelable: { status: 422, type: "invalid_request_error" },
  payout_rail_unavailable: { status: 422, type: "invalid_request_error" },
  last_owner: { status: 422, type: "invalid_request_error" },
  // 429.
  rate_limited: { status: 429, type: "rate_limit_error" },
  // The object the request needs (a hot wallet) has too many requests waiting; retry after Retry-After.
  object_busy: { status: 429, type: "rate_limit_error" },
  // 500: a bug or an outage on our side; the body never carries the cause.
  internal_error: { status: 500, type: "api_error" },
  // 503: this server is at capacity (http/admission.ts); retry after Retry-After.
  server_busy: { status: 503, type: "api_error" },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
export const ERROR_CODES = Object.keys(ERROR_CATALOG) as [ErrorCode, ...ErrorCode[]];
export type ErrorStatus = (typeof ERROR_CATALOG)[ErrorCode]["status"];

export class ApiError extends Error {
  readonly status: ErrorStatus;
  readonly type: string;
  /**
   * Refused for the request's shape (bad JSON, a missing or mistyped field, a broken rule of the
   * schema) before the route ran: an Idempotency-Key records no answer for it, so a corrected
   * retry with the same key runs, as it does on the money routes.
   */
  refusedBeforeRunning = false;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly param?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = ERROR_CATALOG[code].status;
    this.type = ERROR_CATALOG[code].type;
  }
}

export interface ErrorBody {
  success: false;
  error: { type: string; code: ErrorCode; message: string; param?: string; request_id: string; doc_url: string };
}

/** The envelope of an error; `doc_url` is the code's anchor on `docs_page` (the errors reference). */
export function errorBody(error: ApiError, request_id: string, docs_page: string): ErrorBody {
  const { type, code, message, param } = error;
  const doc_url = `${docs_page}#${code}`;
  return {
    success: false,
    error: param === undefined ? { type, code, message, request_id, doc_url } : { type, code, message, param, request_id, doc_url },
  };
}

/** Marks an error as the validation layer's: see ApiError.refusedBeforeRunning. */
export function beforeRunning(error: ApiError): ApiError {
  error.refusedBeforeRunning = true;
  return error;
}

export const notFound = (what: string, param?: string) => new ApiError("resource_missing", `No such ${what}.`, param);
