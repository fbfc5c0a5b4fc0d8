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
  const malformed = issues.find((i) => i.code === "invalid_type" || i.code === "unrecognized_keys");
  const issue = malformed ?? issues[0]!;
  const param = paramName(issue);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    const name = param ? `${param}.${key}` : key;
    return new ApiError("parameter_unknown", `Received unknown parameter: ${name}.`, name);
  }
  if (issue.code === "invalid_type") {
    const raw = await rawInput(target, c);
    if (valueAt(raw, issue.path) === undefined) {
      return new ApiError("parameter_missing", `Missing required parameter: ${param}.`, param || undefined);
    }
    const expected = issue.expected === "int" ? "an integer" : `a ${issue.expected}`;
    return new ApiError("parameter_invalid_type", `Invalid type for ${param || "body"}: expected ${expected}.`, param || undefined);
  }
  return new ApiError("parameter_invalid", `Invalid ${param || "value"}: ${lowerFirst(issue.message)}.`, param || undefined);
}

function paramName(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join(".");
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
