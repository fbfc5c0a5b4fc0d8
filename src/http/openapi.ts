import { createRoute, z, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { requireAccount, requireMembership } from "./auth-dashboard";
import { acceptPublishableKey, requireMerchantKey } from "./auth-merchant";
import { envelopeSchema, ErrorEnvelope } from "./envelope";
import { ApiError } from "../domain/errors";

/**
 * One way to state a route's contract, so each route file reads as its endpoint's contract and the
 * OpenAPI document says everything the route can answer. A route names who may call it, whether it
 * honours `Idempotency-Key` and whether it is rate limited; from those and its request parts come
 * its security, its documented headers and the error statuses it can return
 * (test/workers/openapi-truth.test.ts holds the document to that).
 *
 * `auth` is also what authenticates the route: its middleware runs first, once, for exactly this
 * route. There is no second list of path prefixes that could authenticate a route twice (an HMAC
 * signature then looks replayed, a sandbox clock offset is added twice) or not at all.
 */

export function jsonBody<T extends z.ZodType>(schema: T, required = true) {
  return { required, content: { "application/json": { schema } } };
}

/** What a client sends to a route: its JSON body's type (before defaults and transforms). */
export type RequestBodyOf<R> = R extends { request: { body: { content: { "application/json": { schema: infer S extends z.ZodType } } } } }
  ? z.input<S>
  : never;

/** What a route answers with a status: the envelope's `data`, as the client reads it. */
export type ResponseDataOf<R, Status extends number> = R extends {
  responses: { [K in Status]: { content: { "application/json": { schema: infer S extends z.ZodType } } } };
}
  ? z.output<S> extends { data: infer D }
    ? D
    : never
  : never;

export function success<T extends z.ZodType>(data: T, description: string) {
  return { description, content: { "application/json": { schema: envelopeSchema(data) } } };
}

const ERROR_DESCRIPTIONS = {
  400: "Malformed request: bad JSON, a missing field or query parameter, a wrong type or an unknown field",
  401: "No or bad credentials",
  403: "Authenticated but not allowed",
  404: "Not found, or owned by another merchant",
  409: "A request with the same Idempotency-Key is still running",
  413: "The body is larger than 64 KiB",
  415: "The body is not JSON",
  422: "A well-typed value that breaks a rule, or an Idempotency-Key reused for another request",
  429: "Rate limited, or the object the request needs is busy (`object_busy`): retry after `Retry-After` seconds",
  503: "The server is at capacity (`server_busy`): retry after `Retry-After` seconds",
} as const;

type ErrorStatusCode = keyof typeof ERROR_DESCRIPTIONS;

const integerHeader = (description: string) => ({ description, schema: { type: "integer" as const } });
const RATE_LIMIT_HEADERS = {
  "X-RateLimit-Limit": integerHeader("Requests allowed per window"),
  "X-RateLimit-Remaining": integerHeader("Requests left in the current window"),
  "X-RateLimit-Reset": integerHeader("When a slot frees, in Unix seconds"),
};
const RETRY_AFTER = { "Retry-After": integerHeader("Seconds to wait before retrying") };

function errorResponse(status: ErrorStatusCode) {
  const response = { description: ERROR_DESCRIPTIONS[status], content: { "application/json": { schema: ErrorEnvelope } } };
  if (status === 429) return { ...response, headers: { ...RETRY_AFTER, ...RATE_LIMIT_HEADERS } };
  if (status === 503) return { ...response, headers: RETRY_AFTER };
  return response;
}

/** Error responses a route can give beyond those its features imply (e.g. 404 for a resource named in the body). */
export function errors<S extends ErrorStatusCode>(...statuses: S[]) {
  return Object.fromEntries(statuses.map((s) => [s, errorResponse(s)])) as Record<S, ReturnType<typeof errorResponse>>;
}

/** Security requirement objects: who may call. A signed request needs all three of its headers. */
type SecurityRequirement = Record<string, string[]>;
/**
 * `merchant`: the merchant's server (secret key or signature). `merchant_or_publishable`: that, or a
 * browser on the merchant's page with the publishable key; the route then checks `key_type` and
 * answers a publishable key only what a browser may see (a checkout's own state, by its client
 * secret). `dashboard`: a logged-in account. `member`: one that belongs to the path's merchant.
 */
type Auth = "merchant" | "merchant_or_publishable" | "dashboard" | "member" | "public";
const MERCHANT_SERVER: SecurityRequirement[] = [{ SecretKey: [] }, { HmacKeyId: [], HmacTimestamp: [], HmacSignature: [] }];
const SECURITY: Record<Auth, SecurityRequirement[]> = {
  merchant: MERCHANT_SERVER,
  merchant_or_publishable: [...MERCHANT_SERVER, { PublishableKey: [] }],
  dashboard: [{ DashboardToken: [] }],
  member: [{ DashboardToken: [] }],
  public: [],
};

/**
 * Who may call, as middleware. `member`: a dashboard account that is a member of the merchant named
 * by the path's `{id}` (anyone else gets 404, not 403: the answer must not confirm it exists).
 */
const AUTHENTICATE: Record<Auth, MiddlewareHandler[]> = {
  merchant: [requireMerchantKey],
  merchant_or_publishable: [acceptPublishableKey],
  dashboard: [requireAccount],
  member: [requireAccount, requireMembership],
  public: [],
};

/**
 * CORS for a route a browser calls with the publishable key from the merchant's page (another
 * origin): the preflight and the answer, errors included. Any origin may read, since the request
 * carries no cookies or ambient credentials — only the Authorization header the page sets itself, and
 * what it reads needs the checkout's client secret too. Only GET, only that header. Mounted with
 * `app.use(route.getRoutingPath(), …)` for exactly the routes that take the publishable key; no
 * other route answers another origin.
 */
export const browserCors = cors({ origin: "*", allowMethods: ["GET"], allowHeaders: ["Authorization"], maxAge: 600 });

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

const IDEMPOTENCY_KEY_PARAMETER = {
  name: "Idempotency-Key",
  in: "header" as const,
  required: false,
  description:
    "Makes a retry safe: the same key and request get the first answer again (`Idempotent-Replayed: true`); the same key with another " +
    "request is 422.",
  schema: { type: "string" as const, minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH, example: "6c2a9f3e-4d1b-4f7a-9a51-3c0e8b2d7f10" },
};

/** The key's form is checked before anything else the route does, whichever layer then honours it. */
const checkIdempotencyKey = createMiddleware(async (c, next) => {
  const key = c.req.header("Idempotency-Key");
  if (key !== undefined && (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH)) {
    throw new ApiError(
      "idempotency_key_invalid",
      `Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters.`,
      "Idempotency-Key",
    );
  }
  await next();
});

/**
 * A route that takes no body refuses one, as it refuses unknown fields: `{"amount": 5}` sent to a
 * release must not pass silently as a release of the whole hold. An empty body, or `{}`, is fine.
 */
const noBody = createMiddleware(async (c, next) => {
  const length = c.req.header("Content-Length");
  if (c.req.raw.body && (length === undefined || length !== "0")) {
    const text = (await c.req.text()).trim();
    if (text !== "" && text !== "{}") {
      let field: string | undefined;
      try {
        const parsed: unknown = JSON.parse(text);
        field = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? Object.keys(parsed)[0] : undefined;
      } catch {
        throw new ApiError("invalid_json", "This endpoint takes no body; send none (or {}).");
      }
      if (field === undefined) throw new ApiError("invalid_json", "This endpoint takes no body; send none (or {}).");
      throw new ApiError("parameter_unknown", `Received unknown parameter: ${field}. This endpoint takes no body.`, field);
    }
  }
  await next();
});

/** Unknown query parameters are refused like unknown body fields, so a typo never passes silently. */
const NO_QUERY = z.strictObject({});

type ContractConfig = Omit<RouteConfig, "security" | "operationId"> & {
  path: string;
  operationId: string;
  auth: Auth;
  /** The route honours Idempotency-Key: documented, and its form checked first. */
  idempotent?: boolean;
  rateLimited?: boolean;
  /** The route waits on an object that refuses work past its capacity (429 object_busy with Retry-After). */
  busyObject?: boolean;
  /**
   * The hosted checkout page posts its forms here too (form-encoded or multipart, same origin):
   * those are answered with an HTML page, or a 303 on to the merchant, so every status may also
   * come as text/html.
   */
  pageForms?: boolean;
};

const HTML_PAGE = { "text/html": { schema: { type: "string" as const, description: "The checkout page, answering its own form post" } } };

export function defineRoute<P extends string, R extends ContractConfig & { path: P }>(config: R) {
  const { auth, idempotent, rateLimited, busyObject, pageForms, ...route } = config;
  const request: NonNullable<RouteConfig["request"]> = { ...route.request };
  // Liveness probes may carry cache-busting parameters; every other route is strict.
  if (route.path !== "/health") request.query ??= NO_QUERY;

  // Any route may be shed when the server is at capacity (http/admission.ts); /health never is.
  const implied = new Set<ErrorStatusCode>(route.path === "/health" ? [] : [503]);
  if (request.query || request.body) implied.add(400);
  if (auth === "merchant" || auth === "merchant_or_publishable") [401, 403].forEach((s) => implied.add(s as ErrorStatusCode));
  if (auth === "dashboard" || auth === "member") implied.add(401);
  if (request.params) [404, 422].forEach((s) => implied.add(s as ErrorStatusCode));
  if (request.query && request.query !== NO_QUERY) implied.add(422);
  if (request.body) [413, 415, 422].forEach((s) => implied.add(s as ErrorStatusCode));
  if (idempotent) [409, 422].forEach((s) => implied.add(s as ErrorStatusCode));
  if (rateLimited || busyObject || pageForms) implied.add(429);
  if (pageForms) implied.add(422);

  const responses: RouteConfig["responses"] = { ...errors(...implied), ...route.responses };
  if (rateLimited) {
    for (const [status, response] of Object.entries(responses)) {
      if (status.startsWith("2") && "description" in response) responses[status] = { ...response, headers: RATE_LIMIT_HEADERS };
    }
  }
  if (pageForms) {
    for (const [status, response] of Object.entries(responses)) {
      if ("content" in response) responses[status] = { ...response, content: { ...response.content, ...HTML_PAGE } };
    }
    responses[303] = { description: "A form post that finished the checkout: on to the merchant's success_url or cancel_url" };
  }
  const takesNoBody = route.method !== "get" && !request.body;
  const middleware = [
    ...AUTHENTICATE[auth],
    ...(idempotent ? [checkIdempotencyKey] : []),
    ...(takesNoBody ? [noBody] : []),
    ...asList(route.middleware),
  ];
  const extra = { ...(idempotent ? { parameters: [IDEMPOTENCY_KEY_PARAMETER] } : {}), ...(middleware.length ? { middleware } : {}) };
  return createRoute({ ...route, ...extra, request, responses, security: SECURITY[auth] }) as unknown as R & { getRoutingPath(): string };
}

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
