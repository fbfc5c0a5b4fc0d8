import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { z } from "@hono/zod-openapi";
import { firstDuplicateKey } from "../domain/json-keys";
import { ApiError } from "../domain/errors";

/**
 * Turns a zod failure into one clear error (docs/reference/conventions.md), the same for bodies and
 * query strings: a missing field, a wrong type (a float amount included) or an unknown field is a
 * 400; a well-typed value that breaks a rule (format, length, range, enum) is a 422 whose message
 * names the rule's limit. The first malformed field wins over rule breaks, since fixing it comes first.
 */
type Target = "json" | "query" | "param" | "header" | "form" | "cookie";
type Issue = z.core.$ZodIssue;

export async function validationError(issues: Issue[], target: Target, c: Context): Promise<ApiError> {
  const raw = await rawInput(target, c);
  // Any rule (an enum included) reports a field that was not sent at all as missing.
  const isMissing = (i: Issue) => i.code !== "unrecognized_keys" && i.path.length > 0 && valueAt(raw, i.path) === undefined;
  const issue = issues.find(isMissing) ?? issues.find((i) => isTypeError(i) || i.code === "unrecognized_keys") ?? issues[0]!;
  const param = paramName(issue) || undefined;
  if (isMissing(issue)) return new ApiError("parameter_missing", `Missing required parameter: ${param}.`, param);
  if (issue.code === "unrecognized_keys") {
    const name = param ? `${param}.${issue.keys[0]}` : issue.keys[0]!;
    return new ApiError("parameter_unknown", `Received unknown parameter: ${name}.`, name);
  }
  if (isTypeError(issue))
    return new ApiError("parameter_invalid_type", `Invalid type for ${param ?? "the body"}: expected ${expectedOf(issue)}.`, param);
  return new ApiError("parameter_invalid", `${describe(issue, param ?? "the value")}.`, param);
}

/** A value of the wrong type — also a union none of whose members has the value's type. */
function isTypeError(issue: Issue): boolean {
  if (issue.code === "invalid_type") return true;
  return (
    issue.code === "invalid_union" &&
    issue.errors.length > 0 &&
    issue.errors.every((branch) => branch.some((i) => i.code === "invalid_type"))
  );
}

function expectedOf(issue: Issue): string {
  if (issue.code === "invalid_union") return "a string, number, boolean or null";
  if (issue.code !== "invalid_type") return "another type";
  return issue.expected === "int" ? "an integer" : `a ${issue.expected}`;
}

/** The rule a value broke, naming its limit: "external_id is at most 128 characters". */
function describe(issue: Issue, param: string): string {
  switch (issue.code) {
    case "too_big":
      return `${param} is at most ${issue.maximum}${unitOf(issue.origin)}`;
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) === 1) return `${param} may not be empty`;
      if (issue.origin === "number" && !issue.inclusive) return `${param} must be greater than ${issue.minimum}`;
      return `${param} is at least ${issue.minimum}${unitOf(issue.origin)}`;
    case "invalid_value":
      return `${param} must be one of ${issue.values.map(String).join(", ")}`;
    case "invalid_format":
      return formatRule(issue, param);
    case "invalid_key":
      // A record key broke a rule: "metadata keys are at most 40 characters".
      return describe(issue.issues[0]!, `${param} keys`).replace(/ keys is /, " keys are ");
    case "invalid_union": {
      const inner = issue.errors.flat().find((i) => i.code !== "invalid_type");
      return inner ? describe(inner, param) : `${param} is not valid`;
    }
    default:
      // Custom rules (refinements) are written as whole sentences about the field.
      return lowerFirst(issue.message);
  }
}

function unitOf(origin: string): string {
  if (origin === "string") return " characters";
  if (origin === "array" || origin === "set") return " items";
  return "";
}

function formatRule(issue: Extract<Issue, { code: "invalid_format" }>, param: string): string {
  switch (issue.format) {
    case "datetime":
      return `${param} must be an ISO 8601 date-time with a time zone, e.g. 2026-03-15T10:30:00Z`;
    case "email":
      return `${param} must be an email address`;
    case "uuid":
      return `${param} must be a UUID`;
    case "url":
      return `${param} must be an http(s) URL`;
    default:
      // Patterns carry their own explanation (e.g. the E.164 phone rule).
      return issue.message.startsWith("Invalid") ? `${param} has an invalid format` : lowerFirst(issue.message);
  }
}

function paramName(issue: Issue): string {
  // A bad record key is reported at the record (`metadata`), not at a field named by the bad key.
  const path = issue.code === "invalid_key" ? issue.path.slice(0, -1) : issue.path;
  return path.map(String).join(".");
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1).replace(/\.$/, "");

async function rawInput(target: Target, c: Context): Promise<unknown> {
  switch (target) {
    case "json":
      return c.req.json().catch(() => undefined);
    case "query":
      return c.req.query();
    case "param":
      return c.req.param();
    default:
      return undefined;
  }
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Text must be well-formed Unicode. JSON can carry an unpaired surrogate ("\ud800"), which no
 * storage keeps as it was: SQLite hands back replacement characters, so a ledger entry's stored
 * description would no longer be the one its hash was computed over. Refused where it enters,
 * for every validated input (body, query, path), keys included.
 */
export function illFormedTextError(input: unknown): ApiError | null {
  const path = illFormedAt(input, []);
  if (!path) return null;
  const param = path.join(".") || undefined;
  return new ApiError("parameter_invalid", `${param ?? "The body"} must be valid Unicode text (it contains an unpaired surrogate).`, param);
}

function illFormedAt(value: unknown, path: string[]): string[] | null {
  if (typeof value === "string") return value.isWellFormed() ? null : path;
  if (value === null || typeof value !== "object") return null;
  for (const [key, inner] of Object.entries(value)) {
    if (!key.isWellFormed()) return path;
    const found = illFormedAt(inner, [...path, key]);
    if (found) return found;
  }
  return null;
}

/**
 * Keeps a JSON body's bytes (Hono caches them, and parses JSON from that cache), so that
 * invalidUtf8Error can look at what was sent rather than at its lenient decoding.
 */
export const keepJsonBytes = createMiddleware(async (c, next) => {
  if (c.req.raw.body && c.req.header("Content-Type")?.toLowerCase().includes("json")) await c.req.arrayBuffer();
  await next();
});

/**
 * A JSON body must be UTF-8 (RFC 8259). Bodies are decoded leniently, invalid bytes becoming
 * U+FFFD, which would then be stored as if sent; so the kept bytes are decoded once more, strictly
 * (a real U+FFFD passes). Request bodies here are small: this costs microseconds.
 */
export async function invalidUtf8Error(target: string, c: Context): Promise<ApiError | null> {
  if (target !== "json") return null;
  try {
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await c.req.arrayBuffer());
    return null;
  } catch {
    return new ApiError("invalid_json", "The request body is not valid UTF-8; send JSON encoded as UTF-8.");
  }
}

/**
 * A JSON body may not repeat a key in one object: JSON.parse keeps the last `amount` while a proxy
 * in front of us may have read the first, so the two would disagree about what was sent. Checked on
 * the text JSON.parse accepted, before validation (the body's meaning is in doubt, so nothing
 * validated from it counts); one linear pass over a body of at most 64 KiB.
 */
export async function duplicateKeyError(target: string, c: Context): Promise<ApiError | null> {
  if (target !== "json") return null;
  const path = firstDuplicateKey(await c.req.text());
  if (!path) return null;
  const param = path.join(".");
  return new ApiError("invalid_json", `The request body repeats the key ${param}; send each key once.`, param);
}
