import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { call, newMerchant } from "./helpers";

describe("HTTP conventions", () => {
  it("answers /health with 200 and a request id", async () => {
    const res = await call("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
    expect(res.headers.get("X-Request-Id")).toMatch(/^req_[0-9A-Za-z]{16}$/);
  });

  it("gives every response its own request id, errors included, and echoes it in the body", async () => {
    const a = await call("GET", "/nope");
    const b = await call("GET", "/nope");
    expect(a.headers.get("X-Request-Id")).not.toBe(b.headers.get("X-Request-Id"));
    expect(a.body.error.request_id).toBe(a.headers.get("X-Request-Id"));
  });

  it("answers an unknown path with a JSON 404 in the envelope", async () => {
    const res = await call("GET", "/api/v1/does-not-exist");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, error: { type: "invalid_request_error", code: "route_not_found" } });
  });

  it("answers a wrong method with a JSON 405 and an Allow header", async () => {
    const res = await call("DELETE", "/api/v1/auth/login");
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("POST");
    expect(res.body.error.code).toBe("method_not_allowed");
  });

  it("rejects malformed JSON with 400 invalid_json, not a 500", async () => {
    const res = await call("POST", "/api/v1/auth/register", {
      rawBody: '{"email": "a@b.co",',
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_json");
  });

  it("rejects a non-JSON body with 415", async () => {
    const res = await call("POST", "/api/v1/auth/register", {
      rawBody: "email=a@b.co",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe("unsupported_media_type");
  });

  it("names the missing field in param with 400 parameter_missing", async () => {
    const res = await call("POST", "/api/v1/auth/register", { body: { password: "Correct-Horse-42" } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "parameter_missing", param: "email" });
  });

  it("treats a wrong type as 400 and a broken rule as 422", async () => {
    const merchant = await newMerchant();
    const wrongType = await call("POST", "/api/v1/embedded/users/sync", {
      token: merchant.secret_key,
      body: { external_id: 42, full_name: "A" },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatchObject({ code: "parameter_invalid_type", param: "external_id" });
    const brokenRule = await call("POST", "/api/v1/embedded/users/sync", {
      token: merchant.secret_key,
      body: { external_id: "x".repeat(129), full_name: "A" },
    });
    expect(brokenRule.status).toBe(422);
    expect(brokenRule.body.error).toMatchObject({ code: "parameter_invalid", param: "external_id" });
  });

  it("rejects unknown fields with 400 parameter_unknown, so typos do not pass silently", async () => {
    const merchant = await newMerchant();
    const res = await call("POST", "/api/v1/embedded/users/sync", {
      token: merchant.secret_key,
      body: { external_user_id: "u1", full_name: "A", external_id: "u1" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "parameter_unknown", param: "external_user_id" });
  });

  it("never leaks a stack trace in an error body", async () => {
    const res = await call("POST", "/api/v1/auth/login", { rawBody: "[", headers: { "Content-Type": "application/json" } });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe("OpenAPI and docs", () => {
  it("serves an OpenAPI 3.1 document listing every route with request and response schemas", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const paths = res.body.paths as Record<string, Record<string, any>>;
    // Every API route the app serves, read from the app itself, must be documented.
    const served = createApp()
      .routes.filter((r) => r.method !== "ALL" && (r.path.startsWith("/api/") || r.path === "/health"))
      .map((r) => [r.path.replace(/:([a-z_]+)/g, "{$1}").replace(/\/$/, ""), r.method.toLowerCase()] as const);
    expect(served.length).toBeGreaterThan(25);
    for (const [path, method] of served) {
      const operation = paths[path]?.[method];
      expect(operation, `${method.toUpperCase()} ${path} is documented`).toBeDefined();
      const ok = Object.entries(operation.responses).find(([status]) => status.startsWith("2")) as [string, any];
      expect(ok[1].content["application/json"].schema, `${path} response schema`).toBeDefined();
      if (method === "post" && operation.requestBody) {
        expect(operation.requestBody.content["application/json"].schema, `${path} request schema`).toBeDefined();
      }
    }
    for (const path of ["/api/v1/embedded/users/sync", "/api/v1/embedded/holds", "/api/v1/embedded/transfers", "/api/v1/merchants"]) {
      expect(paths[path]!.post.requestBody, path).toBeDefined();
    }
    expect(Object.keys(res.body.components.securitySchemes)).toEqual(
      expect.arrayContaining(["SecretKey", "HmacSignature", "DashboardToken"]),
    );
  });

  it("serves /docs with its script from this worker, not a CDN", async () => {
    const page = await call("GET", "/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    const scripts = [...String(page.body).matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    // Swagger UI's files are static assets (served before the worker runs); the rest comes from the worker.
    const fromOurOrigin = (src: string) =>
      src.startsWith("/docs/assets/swagger-ui")
        ? env.ASSETS.fetch(new Request(`http://localhost${src}`))
        : exports.default.fetch(new Request(`http://localhost${src}`));
    for (const src of scripts) {
      expect(src.startsWith("/")).toBe(true);
      const script = await fromOurOrigin(src);
      expect(script.status, src).toBe(200);
      expect(script.headers.get("Content-Type")).toContain("javascript");
    }
    const bundle = await fromOurOrigin("/docs/assets/swagger-ui-bundle.js");
    expect(await bundle.text()).toContain("SwaggerUIBundle");
  });
});

describe("limits", () => {
  it("refuses a body over 64 KiB with 413, in the envelope", async () => {
    const res = await call("POST", "/api/v1/auth/register", {
      rawBody: JSON.stringify({ email: "a@b.co", password: "x".repeat(70_000) }),
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });
});

describe("admission at capacity", () => {
  // The bound is an operator variable; 1 makes "at capacity" one request in flight.
  const atCapacity = { ...env, MAX_REQUESTS_IN_FLIGHT: "1" };
  const app = createApp();
  const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;

  it("refuses the request past the bound with 503 server_busy and Retry-After, and admits again once there is room", async () => {
    const { secret_key } = await newMerchant();
    const read = () =>
      app.fetch(new Request("http://x/api/v1/balance", { headers: { Authorization: `Bearer ${secret_key}` } }), atCapacity, ctx);
    // Both start before either finishes: the first is in flight when the second arrives.
    const [first, second] = await Promise.all([read(), read()]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(503);
    expect(second.headers.get("Retry-After")).toBe("1");
    expect(await second.json()).toMatchObject({ success: false, error: { code: "server_busy", type: "api_error" } });
    expect((await read()).status).toBe(200);
  });

  it("keeps answering /health, and documents 503 with Retry-After on every other operation", async () => {
    const health = await Promise.all([1, 2, 3].map(() => app.fetch(new Request("http://x/health"), atCapacity, ctx)));
    expect(health.map((r) => r.status)).toEqual([200, 200, 200]);
    const doc = (await call("GET", "/openapi.json")).body as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (path === "/health") expect(op.responses["503"], path).toBeUndefined();
        else expect(Object.keys(op.responses["503"]?.headers ?? {}), `${method} ${path}`).toContain("Retry-After");
      }
    }
  });
});
