import { beforeAll, describe, expect, it } from "vitest";
import { call, fundedUser, syncUser, type TestMerchant } from "./helpers";

/**
 * The OpenAPI document tells the truth. It is read as a client would read it: every operation is
 * named and secured as documented, limits are in the schemas, and — provoked with the usual
 * mistakes (no credentials, an unknown query parameter, an over-long id, bad JSON, the wrong
 * content type, an oversized or empty body) — every operation answers only statuses it declares.
 */
type Operation = {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; schema?: any }[];
  requestBody?: { content: Record<string, { schema: any }> };
  responses: Record<string, { headers?: Record<string, unknown> }>;
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, any>; securitySchemes: Record<string, any> };
};

let doc: Doc;
let merchant: TestMerchant;
let ids: Record<string, string>;
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

beforeAll(async () => {
  doc = (await call("GET", "/openapi.json")).body;
  const funded = await fundedUser(50_000);
  merchant = funded.merchant;
  const other = (await syncUser(merchant.secret_key)).body.data.mazad_user_id;
  const hold = await call("POST", "/api/v1/embedded/holds", {
    token: merchant.secret_key,
    body: { user_id: funded.user_id, amount: 100, currency: "IQD" },
  });
  const transfer = await call("POST", "/api/v1/embedded/transfers", {
    token: merchant.secret_key,
    body: { from_user_id: funded.user_id, to_user_id: other, amount: 100, currency: "IQD" },
  });
  ids = { user: funded.user_id, hold: hold.body.data.id, transfer: transfer.body.data.id };
});

/** A concrete path for a templated one: real ids where the route reads them, harmless ones where it deletes. */
function fill(path: string, over_long = false): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (over_long) return "x".repeat(65);
    if (name === "key_id") return "key_doesnotexist";
    if (name === "account_id") return "acct_doesnotexist";
    if (path.startsWith("/api/v1/merchants/")) return merchant.merchant_id;
    if (path.includes("/holds/")) return ids.hold!;
    if (path.includes("/transfers/")) return ids.transfer!;
    return ids.user!;
  });
}

function credentials(op: Operation): Record<string, string> {
  const schemes = (op.security ?? []).flatMap((r) => Object.keys(r));
  if (schemes.includes("SecretKey")) return { Authorization: `Bearer ${merchant.secret_key}` };
  if (schemes.includes("DashboardToken")) return { Authorization: `Bearer ${merchant.token}` };
  return {};
}

async function probe(method: string, path: string, headers: Record<string, string>, rawBody?: string) {
  return call(method.toUpperCase(), path, { headers, rawBody });
}

describe("the OpenAPI document", () => {
  it("names every operation once and states who may call it", () => {
    const seen = new Set<string>();
    for (const { path, method, op } of operations()) {
      expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
      expect(seen.has(op.operationId!), `${op.operationId} is unique`).toBe(false);
      seen.add(op.operationId!);
      expect(op.security, `${method} ${path} states its security`).toBeDefined();
    }
    for (const publicRoute of ["/health", "/api/v1/auth/register", "/api/v1/auth/login"]) {
      const [op] = Object.values(doc.paths[publicRoute]!);
      expect(op!.security, publicRoute).toEqual([]);
    }
  });

  it("names all three headers of a signed request together", () => {
    const schemes = doc.components.securitySchemes;
    expect([schemes.HmacKeyId.name, schemes.HmacTimestamp.name, schemes.HmacSignature.name]).toEqual([
      "X-Api-Key",
      "X-Api-Timestamp",
      "X-Api-Signature",
    ]);
    const hold = doc.paths["/api/v1/embedded/holds"]!.post!;
    expect(hold.security).toContainEqual({ HmacKeyId: [], HmacTimestamp: [], HmacSignature: [] });
  });

  it("documents Idempotency-Key on every POST that honours it, and the key's form is checked there", async () => {
    // Every POST of the merchant and dashboard API; login, registration and the buyer's own endpoints take no key.
    const posts = operations().filter(
      ({ method, path }) => method === "post" && path.startsWith("/api/v1/") && !path.startsWith("/api/v1/auth/"),
    );
    expect(posts.length).toBeGreaterThan(10);
    for (const { path, op } of posts) {
      const header = op.parameters?.find((p) => p.in === "header" && p.name === "Idempotency-Key");
      expect(header, `${path} documents Idempotency-Key`).toBeDefined();
      expect(header!.schema).toMatchObject({ minLength: 1, maxLength: 255 });
      const res = await probe(
        "post",
        fill(path),
        { ...credentials(op), "Idempotency-Key": "k".repeat(256), "Content-Type": "application/json" },
        "{}",
      );
      expect(res.status, path).toBe(422);
      expect(res.body.error.code, path).toBe("idempotency_key_invalid");
    }
  });

  it("puts Retry-After on every 429 and the rate-limit headers on the limited route", () => {
    for (const { path, method, op } of operations()) {
      const limited = op.responses["429"];
      if (limited) expect(Object.keys(limited.headers ?? {}), `${method} ${path}`).toContain("Retry-After");
    }
    const transactions = doc.paths["/api/v1/embedded/users/{id}/transactions"]!.get!;
    expect(Object.keys(transactions.responses["200"]!.headers ?? {})).toEqual([
      "X-RateLimit-Limit",
      "X-RateLimit-Remaining",
      "X-RateLimit-Reset",
    ]);
    expect(Object.keys(transactions.responses["429"]!.headers ?? {})).toEqual(expect.arrayContaining(["Retry-After", "X-RateLimit-Reset"]));
  });

  it("states the limits in the schemas", () => {
    const sync = doc.components.schemas.UserSync.properties;
    expect(sync.metadata).toMatchObject({
      maxProperties: 20,
      propertyNames: { maxLength: 40 },
      additionalProperties: { anyOf: expect.arrayContaining([{ type: "string", maxLength: 500 }]) },
    });
    expect(sync.external_id).toMatchObject({ minLength: 1, maxLength: 128 });
    const holdBody = doc.paths["/api/v1/embedded/holds"]!.post!.requestBody!.content["application/json"]!.schema;
    expect(holdBody.allOf).toContainEqual({
      if: { properties: { currency: { const: "USD" } }, required: ["currency"] },
      then: { properties: { amount: { maximum: 100_000_000_000 } } },
    });
    const register = doc.paths["/api/v1/auth/register"]!.post!.requestBody!.content["application/json"]!.schema;
    expect(register.properties.password).toMatchObject({ minLength: 10, maxLength: 128, pattern: expect.stringContaining("(?=.*[A-Z])") });
    const login = doc.paths["/api/v1/auth/login"]!.post!.requestBody!.content["application/json"]!.schema;
    expect(login.properties.email.maxLength).toBe(254);
    expect(doc.paths["/api/v1/embedded/holds/{id}"]!.get!.parameters!.find((p) => p.in === "path")!.schema.maxLength).toBe(64);
  });

  it("declares every status an operation gives to the usual mistakes", async () => {
    const undeclared: string[] = [];
    const check = (label: string, op: Operation, status: number) => {
      if (!(String(status) in op.responses)) undeclared.push(`${label} → ${status}`);
    };
    for (const { path, method, op } of operations()) {
      if (!path.startsWith("/api/") && path !== "/health") continue;
      const auth = credentials(op);
      const label = `${method.toUpperCase()} ${path}`;
      const json = { "Content-Type": "application/json" };
      const hasBody = op.requestBody !== undefined;
      const body = hasBody ? "{}" : undefined;
      if ((op.security ?? []).length > 0)
        check(`${label} without credentials`, op, (await probe(method, fill(path), hasBody ? json : {}, body)).status);
      if (path !== "/health")
        check(`${label} ?zz=1`, op, (await probe(method, `${fill(path)}?zz=1`, { ...auth, ...(hasBody ? json : {}) }, body)).status);
      if (path.includes("{"))
        check(
          `${label} with an over-long id`,
          op,
          (await probe(method, fill(path, true), { ...auth, ...(hasBody ? json : {}) }, body)).status,
        );
      const missingQuery = op.parameters?.some((p) => p.in === "query" && p.required);
      if (missingQuery) check(`${label} without its required query`, op, (await probe(method, fill(path), auth)).status);
      if (hasBody) {
        check(`${label} {}`, op, (await probe(method, fill(path), { ...auth, ...json }, "{}")).status);
        check(`${label} bad JSON`, op, (await probe(method, fill(path), { ...auth, ...json }, "{")).status);
        check(`${label} text/plain`, op, (await probe(method, fill(path), { ...auth, "Content-Type": "text/plain" }, "hello")).status);
        check(
          `${label} 70 KB`,
          op,
          (await probe(method, fill(path), { ...auth, ...json }, JSON.stringify({ pad: "x".repeat(70_000) }))).status,
        );
      }
    }
    expect(undeclared).toEqual([]);
  }, 60_000);

  it("keeps /docs free of third-party requests and badges", async () => {
    const init = await call("GET", "/docs/assets/init.js");
    expect(String(init.body)).toContain("validatorUrl: null");
  });
});
