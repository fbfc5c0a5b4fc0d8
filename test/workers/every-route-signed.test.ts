import { beforeAll, describe, expect, it } from "vitest";
import { call, createKey, fundedUser, signedHeaders, type TestMerchant } from "./helpers";

/**
 * Every operation the merchant API documents as callable with an HMAC signature is honoured when
 * signed, exactly as with the secret key. The list comes from /openapi.json, so a new route is
 * covered without anyone remembering to add it here. (A route once authenticated itself twice,
 * and the second pass took its own signature for a replay.)
 */
type Operation = { operationId: string; security?: Record<string, string[]>[]; requestBody?: unknown };
type Doc = { paths: Record<string, Record<string, Operation>> };

let doc: Doc;
let merchant: TestMerchant;
let signing: { key_id: string; secret: string };
let user_id: string;

beforeAll(async () => {
  doc = (await call("GET", "/openapi.json")).body;
  const funded = await fundedUser(10_000);
  merchant = funded.merchant;
  user_id = funded.user_id;
  const key = await createKey(merchant, "signing", "sandbox");
  signing = { key_id: key.key_id!, secret: key.secret };
});

/**
 * Reads name a real user; anything that could change state names an id that does not exist, so the
 * first call cannot change what the second one sees.
 */
function fill(path: string, method: string): string {
  return path.replace(/\{(\w+)\}/g, () => (method === "get" && path.startsWith("/api/v1/embedded/users/") ? user_id : "doesnotexist0000"));
}

describe("every signed route", () => {
  it("answers a signed request as it answers the secret key", async () => {
    const signable = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => (op.security ?? []).some((r) => "HmacSignature" in r))
        .map(([method, op]) => ({ path, method, op })),
    );
    expect(signable.length).toBeGreaterThan(35);
    const differences: string[] = [];
    for (const { path, method, op } of signable) {
      const target = fill(path, method);
      const body = op.requestBody === undefined ? undefined : "{}";
      const json: Record<string, string> = body === undefined ? {} : { "Content-Type": "application/json" };
      const withKey = await call(method.toUpperCase(), target, {
        rawBody: body,
        headers: { ...json, Authorization: `Bearer ${merchant.secret_key}` },
      });
      const signed = await call(method.toUpperCase(), target, {
        rawBody: body,
        headers: { ...json, ...(await signedHeaders(signing.key_id, signing.secret, method.toUpperCase(), target, body ?? "")) },
      });
      if (signed.status !== withKey.status || signed.status === 401) {
        differences.push(
          `${method.toUpperCase()} ${path} (${op.operationId}): secret key ${withKey.status}, ` +
            `signed ${signed.status} ${JSON.stringify(signed.body?.error?.code ?? "")}`,
        );
      }
    }
    expect(differences).toEqual([]);
  }, 120_000);
});
