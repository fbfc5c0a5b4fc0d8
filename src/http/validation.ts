import type { Context } from "hono";
import type { z } from "@hono/zod-openapi";
import { ApiError } from "./errors";

/**
 * Turns a zod failure into one clear error (DESIGN.md, "API conventions"):
 * a missing field, a wrong type (a float amount included) or an unknown field is a 400;
 * a well-typed value that breaks a rule (format, length, range, enum) is a 422.
 * The first malformed field wins over rule breaks, since fixing it comes first.
 */
type Target = "json" | "query" | "param" | "header" | "form" | "cookie";

export async function validationError(issues: z.core.$ZodIssue[], target: Target, c: Context): Promise<ApiError> {
  const raw = await rawInput(target, c);
  // Any rule (an enum included) reports a field that was not sent at all as missing.
  const isMissing = (i: z.core.$ZodIssue) => i.code !== "unrecognized_keys" && i.path.length > 0 && valueAt(raw, i.path) === undefined;
  const issue =
    issues.find(isMissing) ?? issues.find((i) => i.code === "invalid_type" || i.code === "unrecognized_keys") ?? issues[0]!;
  const param = paramName(issue) || undefined;
  if (isMissing(issue)) return new ApiError("parameter_missing", `Missing required parameter: ${param}.`, param);
  if (issue.code === "unrecognized_keys") {
    const name = param ? `${param}.${issue.keys[0]}` : issue.keys[0]!;
    return new ApiError("parameter_unknown", `Received unknown parameter: ${name}.`, name);
  }
  // Query strings are all text: a value that does not parse (a page of "abc") breaks a rule, 422.
  if (issue.code === "invalid_type" && target !== "query") {
    const expected = issue.expected === "int" ? "an integer" : `a ${issue.expected}`;
    return new ApiError("parameter_invalid_type", `Invalid type for ${param ?? "the body"}: expected ${expected}.`, param);
  }
  return new ApiError("parameter_invalid", `Invalid ${param ?? "value"}: ${lowerFirst(issue.message)}.`, param);
}

function paramName(issue: z.core.$ZodIssue): string {
  // A bad record key is reported at the record (`metadata`), not at a field named by the bad key.
  const path = issue.code === "invalid_key" ? issue.path.slice(0, -1) : issue.path;
  return path.map(String).join(".");
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1).replace(/\.$/, "");
}

async function rawInput(target: Target, c: Context): Promise<unknown> {
  switch (target) {
    case "json":
      return c.req.json().catch(() => undefined);
    case "query":
      return c.req.query();
    case "param":
      return c.req.param();
    case "header":
      return c.req.header();
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
