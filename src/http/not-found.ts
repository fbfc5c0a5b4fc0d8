import type { Context, Hono } from "hono";
import type { AppEnv } from "./context";
import { handleError } from "./error-handler";
import { ApiError } from "../domain/errors";

/**
 * JSON 404 for unknown paths, and 405 with `Allow` when the path exists under other methods.
 * The route table is read once, on the first miss.
 */
export function methodNotAllowedOrNotFound(app: Hono<AppEnv>) {
  let table: { method: string; pattern: RegExp }[] | undefined;
  return (c: Context<AppEnv>) => {
    table ??= app.routes
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => ({ method: r.method, pattern: toRegExp(r.path) }));
    const path = new URL(c.req.url).pathname;
    const allowed = [...new Set(table.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      return handleError(
        new ApiError("method_not_allowed", `${c.req.method} is not allowed here; use ${allowed.join(", ")}.`, undefined, {
          Allow: allowed.join(", "),
        }),
        c,
      );
    }
    return handleError(new ApiError("route_not_found", `No route for ${c.req.method} ${path}.`), c);
  };
}

function toRegExp(path: string): RegExp {
  const source = path
    .split("/")
    .map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source.replace(/\/$/, "")}/?$`);
}
