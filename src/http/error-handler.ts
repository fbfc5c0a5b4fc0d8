import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./context";
import { ApiError, errorBody } from "../domain/errors";

/**
 * Every error leaves as the envelope with the request id. Our own ApiErrors carry their code;
 * Hono's HTTPExceptions (malformed JSON, wrong content type) are mapped; anything else is a bug:
 * logged with its cause, answered with a generic 500 and never a stack.
 */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  const apiError = err instanceof ApiError ? err : fromHttpException(err);
  const requestId = c.get("requestId") ?? "req_unknown";
  // Shedding at capacity is expected and frequent when it happens: not worth a log line each.
  if (apiError.status >= 500 && apiError.code !== "server_busy")
    console.error(JSON.stringify({ request_id: requestId, error: String(err), stack: err.stack }));
  const res = c.json(errorBody(apiError, requestId, errorDocsPage(c)), apiError.status);
  for (const [name, value] of Object.entries(apiError.headers)) res.headers.set(name, value);
  res.headers.set("X-Request-Id", requestId);
  return res;
}

/**
 * The page every error body's `doc_url` points into, one anchor per code: this server's own
 * /docs/errors, unless the operator's `ERROR_DOCS_URL` names another absolute http(s) page with the
 * same anchors (say, docs/reference/errors.md where they host their copy of the repository).
 */
export function errorDocsPage(c: Context<AppEnv>): string {
  const configured = (c.env as { ERROR_DOCS_URL?: string } | undefined)?.ERROR_DOCS_URL;
  if (configured && /^https?:\/\/[^\s#]+$/.test(configured)) return configured;
  return `${new URL(c.req.url).origin}/docs/errors`;
}

function fromHttpException(err: Error): ApiError {
  if (!(err instanceof HTTPException)) return new ApiError("internal_error", "Something went wrong on our side; it was logged.");
  switch (err.status) {
    case 400:
      return new ApiError("invalid_json", "The request body is not valid JSON.");
    case 401:
      return new ApiError("authentication_required", "This request needs credentials.");
    case 403:
      // e.g. hono/csrf refusing a form posted from another site.
      return new ApiError("request_forbidden", "This request is not allowed from where it came.");
    case 404:
      return new ApiError("route_not_found", "Not found.");
    case 413:
      return new ApiError("payload_too_large", "The request body is too large.");
    case 415:
      return new ApiError("unsupported_media_type", "Send the body as JSON with `Content-Type: application/json`.");
    default:
      return new ApiError("internal_error", "Something went wrong on our side; it was logged.");
  }
}
