import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { balanceOf, call, fundedUser, newIntent } from "./helpers";

/**
 * Whatever JSON a client sends to any POST route, the answer is a 2xx or a 4xx in the envelope:
 * never a 5xx, never a stack. fast-check generates the bodies (seeded; the seed prints on failure).
 */
describe("arbitrary JSON bodies", () => {
  it("never produce a server error on any POST route", async () => {
    const { merchant, user_id } = await fundedUser(10_000);
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 100, currency: "IQD" },
    });
    const m = `/api/v1/merchants/${merchant.merchant_id}`;
    const routes: [string, string][] = [
      ["/api/v1/auth/register", ""],
      ["/api/v1/merchants", merchant.token],
      [`${m}/api-keys`, merchant.token],
      [`${m}/members`, merchant.token],
      ["/api/v1/embedded/users/sync", merchant.secret_key],
      ["/api/v1/users/sync", merchant.secret_key],
      [`/api/v1/embedded/users/${user_id}/wallet/top-ups`, merchant.secret_key],
      ["/api/v1/embedded/holds", merchant.secret_key],
      [`/api/v1/embedded/holds/${hold.body.data.id}/capture`, merchant.secret_key],
      ["/api/v1/embedded/transfers", merchant.secret_key],
      ["/api/v1/sandbox/clock", merchant.secret_key],
    ];
    // Values shaped like the real fields, so generated bodies also reach the rules behind validation.
    const field = fc.oneof(
      fc.jsonValue(),
      fc.integer(),
      fc.double(),
      fc.constantFrom("IQD", "USD", "EUR", "", user_id, "+9647701234567", "a@b.co", "secret", "live", "owner"),
      fc.string(),
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(
        fc.constantFrom(
          "amount",
          "currency",
          "user_id",
          "external_id",
          "full_name",
          "email",
          "phone",
          "metadata",
          "type",
          "mode",
          "role",
          "name",
          "password",
          "advance_seconds",
          "from_user_id",
          "to_user_id",
          "expires_at",
        ),
        field,
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, async ([path, token], value) => {
        const res = await call("POST", path, {
          token: token || undefined,
          rawBody: JSON.stringify(value),
          headers: { "Content-Type": "application/json" },
        });
        expect(res.status, `${path} ${JSON.stringify(value)}`).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.body.success).toBe(false);
          expect(typeof res.body.error.code).toBe("string");
        }
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe("text that is not well-formed Unicode", () => {
  // An unpaired surrogate does not survive storage (SQLite returns replacement characters), so a
  // ledger entry's stored text would differ from what its hash covers: refused where it enters.
  it("is refused as 422 naming the field, and nothing is held", async () => {
    const { merchant, user_id } = await fundedUser(10_000);
    const rawBody = `{"user_id":"${user_id}","amount":100,"currency":"IQD","description":"bid \\ud800"}`;
    const res = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      rawBody,
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "parameter_invalid", param: "description" });
    const wallet = await call("GET", `/api/v1/embedded/users/${user_id}/wallet`, { token: merchant.secret_key });
    expect(wallet.body.data.balances.find((b: { currency: string }) => b.currency === "IQD")).toMatchObject({ available: 10_000, held: 0 });
  });

  it("is refused in metadata keys and values too, while paired surrogates (emoji) pass", async () => {
    const { merchant } = await fundedUser(0);
    const sync = (metadata: string) =>
      call("POST", "/api/v1/embedded/users/sync", {
        token: merchant.secret_key,
        rawBody: `{"external_id":"u_text","full_name":"Text","metadata":${metadata}}`,
        headers: { "Content-Type": "application/json" },
      });
    const badKey = await sync(`{"\\udc00":"x"}`);
    expect(badKey.status).toBe(422);
    expect(badKey.body.error.param).toBe("metadata");
    expect((await sync(`{"note":"\\ud83d"}`)).body.error.param).toBe("metadata.note");
    const emoji = await sync(`{"note":"\\ud83d\\udcb8"}`);
    expect(emoji.status).toBe(201);
    expect(emoji.body.data.metadata.note).toBe("💸");
  });
});

describe("bodies that are not UTF-8", () => {
  it("are refused as invalid_json, while a real U+FFFD passes", async () => {
    const { merchant, user_id } = await fundedUser(10_000);
    const bytes = (text: string) => new TextEncoder().encode(text);
    const send = async (body: Uint8Array) => {
      const res = await exports.default.fetch(
        new Request("http://localhost/api/v1/embedded/holds", {
          method: "POST",
          body,
          headers: { Authorization: `Bearer ${merchant.secret_key}`, "Content-Type": "application/json" },
        }),
      );
      return { status: res.status, body: (await res.json()) as any };
    };
    const prefix = bytes(`{"user_id":"${user_id}","amount":1,"currency":"IQD","description":"a`);
    const suffix = bytes(`b"}`);
    const raw = new Uint8Array([...prefix, 0xff, 0xfe, ...suffix]);
    const refused = await send(raw);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("invalid_json");
    const honest = await send(bytes(`{"user_id":"${user_id}","amount":1,"currency":"IQD","description":"a\uFFFDb"}`));
    expect(honest.status).toBe(201);
    expect(honest.body.data.description).toBe("a\uFFFDb");
  });
});

describe("a body sent to a route that takes none", () => {
  it("is refused like an unknown field, and nothing happens; an empty body or {} is fine", async () => {
    const { merchant, user_id } = await fundedUser(10_000);
    const token = merchant.secret_key;
    const hold = (await call("POST", "/api/v1/embedded/holds", { token, body: { user_id, amount: 1_000, currency: "IQD" } })).body.data;
    const release = (rawBody?: string) =>
      call("POST", `/api/v1/embedded/holds/${hold.id}/release`, { token, rawBody, headers: { "Content-Type": "application/json" } });
    const partial = await release('{"amount":5}');
    expect(partial.status).toBe(400);
    expect(partial.body.error).toMatchObject({ code: "parameter_unknown", param: "amount" });
    expect((await release("{garbage")).body.error.code).toBe("invalid_json");
    expect((await call("GET", `/api/v1/embedded/holds/${hold.id}`, { token })).body.data.status).toBe("active");
    const done = await release("{}");
    expect(done.status).toBe(200);
    expect(done.body.data.status).toBe("released");
  });
});

describe("a body with a duplicated key", () => {
  // A proxy that reads the first `amount` and a server that keeps the last would disagree about
  // what was sent: a body whose meaning depends on the parser is refused, naming the key.
  const json = { "Content-Type": "application/json" };

  it("is refused as invalid_json naming the key, and the wallet is unchanged", async () => {
    const { merchant, user_id } = await fundedUser(10_000);
    const topUp = (rawBody: string) =>
      call("POST", `/api/v1/embedded/users/${user_id}/wallet/top-ups`, { token: merchant.secret_key, rawBody, headers: json });
    for (const rawBody of ['{"amount":1,"currency":"IQD","amount":7000000}', '{"amount":1,"currency":"IQD","\\u0061mount":7000000}']) {
      const res = await topUp(rawBody);
      expect(res.status, rawBody).toBe(400);
      expect(res.body.error).toMatchObject({ code: "invalid_json", param: "amount" });
      expect(res.body.error.message).toContain("amount");
    }
    // Refused even when the last value alone would fail validation: the body means nothing either way.
    expect((await topUp('{"amount":1,"currency":"IQD","amount":1.5}')).body.error).toMatchObject({ code: "invalid_json", param: "amount" });
    expect(await balanceOf(merchant.secret_key, user_id)).toMatchObject({ available: 10_000, held: 0 });
  });

  it("is named by its dotted path when nested", async () => {
    const { merchant } = await fundedUser(0);
    const rawBody = '{"external_id":"u_dup","full_name":"Dup","metadata":{"order":"1","order":"2"}}';
    const res = await call("POST", "/api/v1/embedded/users/sync", { token: merchant.secret_key, rawBody, headers: json });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_json", param: "metadata.order" });
  });

  it("is refused by the checkout's JSON pay API too, and the checkout stays open", async () => {
    const { merchant } = await fundedUser(0);
    const intent = await newIntent(merchant.secret_key, 1_000);
    // Which card is being charged depends on the parser: the first number or the second.
    const card = '{"number":"4000 0000 0000 0002","exp_month":12,"exp_year":2030,"cvc":"123","name":"A B","number":"4242 4242 4242 4242"}';
    const rawBody = `{"client_secret":"${intent.client_secret}","method":"card","card":${card}}`;
    const res = await call("POST", `/checkout/${intent.id}/pay`, { rawBody, headers: json });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_json", param: "card.number" });
    const after = await call("GET", `/api/v1/payment-intents/${intent.id}`, { token: merchant.secret_key });
    expect(after.body.data).toMatchObject({ status: "requires_payment_method", attempts_remaining: intent.attempts_remaining });
  });
});
