import type { z } from "@hono/zod-openapi";
import { envelopeSchema, ErrorEnvelope } from "./envelope";

/** Small builders so each route's createRoute() reads as its contract, without repeated boilerplate. */

export function jsonBody<T extends z.ZodType>(schema: T, required = true) {
  return { required, content: { "application/json": { schema } } };
}

export function success<T extends z.ZodType>(data: T, description: string) {
  return { description, content: { "application/json": { schema: envelopeSchema(data) } } };
}

const ERROR_DESCRIPTIONS = {
  400: "Malformed request: bad JSON, a missing field, a wrong type or an unknown field",
  401: "No or bad credentials",
  403: "Authenticated but not allowed",
  404: "Not found, or owned by another merchant",
  409: "Idempotency key in use by a request still running",
  413: "The body is larger than 64 KiB",
  415: "The body is not JSON",
  422: "A well-typed value that breaks a rule",
  429: "Rate limited: retry after `Retry-After` seconds",
} as const;

type ErrorStatusCode = keyof typeof ERROR_DESCRIPTIONS;

export function errors<S extends ErrorStatusCode>(...statuses: S[]) {
  const out = {} as Record<S, { description: string; content: { "application/json": { schema: typeof ErrorEnvelope } } }>;
  for (const status of statuses) {
    out[status] = { description: ERROR_DESCRIPTIONS[status], content: { "application/json": { schema: ErrorEnvelope } } };
  }
  return out;
}

/** Security requirement objects for the three ways to call the API. */
type SecurityRequirement = Record<string, string[]>;
export const MERCHANT_AUTH: SecurityRequirement[] = [{ SecretKey: [] }, { HmacSignature: [] }];
export const DASHBOARD_AUTH: SecurityRequirement[] = [{ DashboardToken: [] }];
