import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, newMerchant, syncUser, countRows } from "./helpers";

const SYNC = "/api/v1/embedded/users/sync";

const walletsOfUser = (user_id: string) => countRows("SELECT count(*) AS n FROM wallets WHERE user_id = ? AND kind = 'user'", user_id);

describe("POST /api/v1/embedded/users/sync", () => {
  it("creates the spec's example user with a wallet, in the spec's shape", async () => {
    const merchant = await newMerchant();
    const body = {
      external_id: "usr_12345",
      full_name: "Ahmed Al-Rashid",
      email: "ahmed@example.com",
      phone: "+9647701234567",
      metadata: { plan: "premium", signup_source: "mobile_app" },
      default_currency: "IQD",
    };
    const res = await call("POST", SYNC, { token: merchant.secret_key, body });
    expect(res.status).toBe(201);
    expect(res.body.success).toBe(true);
    const data = res.body.data;
    expect(Object.keys(data).sort()).toEqual(
      [
        "mazad_user_id",
        "external_id",
        "full_name",
        "email",
        "phone",
        "wallet_id",
        "default_currency",
        "metadata",
        "created_at",
        "updated_at",
        // Beyond the spec's fields: the level whose limits the wallet enforces (docs/guides/payouts.md).
        "kyc_level",
      ].sort(),
    );
    expect(data).toMatchObject({ ...body, kyc_level: "none" });
    expect(data.mazad_user_id).toMatch(/^mzd_usr_[0-9A-Za-z]{16}$/);
    expect(data.wallet_id).toMatch(/^wal_[0-9A-Za-z]{16}$/);
    expect(data.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(await walletsOfUser(data.mazad_user_id)).toBe(1);
  });

  it("defaults the currency to IQD", async () => {
    const merchant = await newMerchant();
    const res = await syncUser(merchant.secret_key);
    expect(res.body.data.default_currency).toBe("IQD");
    expect(res.body.data.metadata).toEqual({});
    expect(res.body.data.email).toBeNull();
  });

  it("updates the mutable fields on a repeat sync and never re-creates the wallet", async () => {
    const merchant = await newMerchant();
    const first = await syncUser(merchant.secret_key, "usr_upsert", {
      email: "old@example.com",
      phone: "+9647700000000",
      metadata: { a: "1" },
    });
    const second = await call("POST", SYNC, {
      token: merchant.secret_key,
      body: { external_id: "usr_upsert", full_name: "New Name", email: "new@example.com", metadata: { b: "2" }, default_currency: "USD" },
    });
    expect(second.status).toBe(200);
    expect(second.body.data).toMatchObject({
      mazad_user_id: first.body.data.mazad_user_id,
      wallet_id: first.body.data.wallet_id,
      full_name: "New Name",
      email: "new@example.com",
      phone: "+9647700000000",
      metadata: { b: "2" },
      default_currency: "IQD",
      created_at: first.body.data.created_at,
    });
    expect(await walletsOfUser(first.body.data.mazad_user_id)).toBe(1);
    const cleared = await call("POST", SYNC, {
      token: merchant.secret_key,
      body: { external_id: "usr_upsert", full_name: "New Name", phone: null },
    });
    expect(cleared.body.data.phone).toBeNull();
    expect(cleared.body.data.email).toBe("new@example.com");
  });

  it("makes one user and one wallet from concurrent first syncs of one external id", async () => {
    const merchant = await newMerchant();
    const external_id = `usr_${crypto.randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 10 }, () => syncUser(merchant.secret_key, external_id)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(9);
    expect(new Set(results.map((r) => r.body.data.wallet_id)).size).toBe(1);
    const users = await countRows("SELECT count(*) AS n FROM users WHERE external_id = ?", external_id);
    expect(users).toBe(1);
    const wallets = await countRows("SELECT count(*) AS n FROM wallets WHERE user_id = ?", results[0]!.body.data.mazad_user_id);
    expect(wallets).toBe(1);
  });

  it("records user.synced once per change: ten racing first syncs make one event, an unchanged sync none, each change one", async () => {
    const merchant = await newMerchant();
    const external_id = `usr_${crypto.randomUUID()}`;
    const events = () =>
      env.DB.prepare("SELECT id, data FROM events WHERE merchant_id = ? AND type = 'user.synced' ORDER BY created_at_ms, rowid")
        .bind(merchant.merchant_id)
        .all<{ id: string; data: string }>();
    await Promise.all(Array.from({ length: 10 }, () => syncUser(merchant.secret_key, external_id)));
    expect((await events()).results).toHaveLength(1);
    // The same fields again, also in another order of metadata keys: nothing changes, nothing is recorded.
    await syncUser(merchant.secret_key, external_id);
    expect((await events()).results).toHaveLength(1);
    const renamed = await call("POST", SYNC, { token: merchant.secret_key, body: { external_id, full_name: "Renamed" } });
    expect(renamed.status).toBe(200);
    await call("POST", SYNC, { token: merchant.secret_key, body: { external_id, full_name: "Ahmed Al-Rashid" } });
    const recorded = (await events()).results;
    // Back to the first name is a change of its own: three facts, three events, three ids.
    expect(recorded.map((e) => (JSON.parse(e.data) as { object: { full_name: string } }).object.full_name)).toEqual([
      "Ahmed Al-Rashid",
      "Renamed",
      "Ahmed Al-Rashid",
    ]);
    expect(new Set(recorded.map((e) => e.id)).size).toBe(3);
    for (const e of recorded) expect(e.id).toMatch(/^evt_[0-9A-Za-z]{24}$/);
  });

  const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, "v"]));
  it.each([
    ["external_id", { external_id: "x".repeat(129) }],
    ["phone", { phone: "07701234567" }],
    ["email", { email: "ahmed@" }],
    ["metadata", { metadata: tooMany }],
    ["metadata", { metadata: { ["k".repeat(41)]: "v" } }],
    ["metadata.note", { metadata: { note: "v".repeat(501) } }],
    ["default_currency", { default_currency: "EUR" }],
  ])("answers a bad %s with 422 naming the field", async (param, override) => {
    const merchant = await newMerchant();
    const res = await call("POST", SYNC, { token: merchant.secret_key, body: { external_id: "usr_limits", full_name: "A", ...override } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("parameter_invalid");
    expect(res.body.error.param).toBe(param);
    const stored = await countRows("SELECT count(*) AS n FROM users WHERE merchant_id = ?", merchant.merchant_id);
    expect(stored).toBe(0);
  });

  it("accepts the limits exactly: 128-char id, 20 keys, 40-char key, 500-char value", async () => {
    const merchant = await newMerchant();
    const metadata = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${i}`.padEnd(40, "k"), "v".repeat(500)]));
    const res = await call("POST", SYNC, { token: merchant.secret_key, body: { external_id: "x".repeat(128), full_name: "A", metadata } });
    expect(res.status).toBe(201);
  });

  it("answers missing required fields with 400", async () => {
    const merchant = await newMerchant();
    const res = await call("POST", SYNC, { token: merchant.secret_key, body: { external_id: "u" } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "parameter_missing", param: "full_name" });
  });

  it("refuses an external id shaped like a Mazad user id, which would hide that user", async () => {
    const merchant = await newMerchant();
    const first = (await call("POST", SYNC, { token: merchant.secret_key, body: { external_id: "real", full_name: "Real" } })).body.data;
    const res = await call("POST", SYNC, { token: merchant.secret_key, body: { external_id: first.mazad_user_id, full_name: "Shadow" } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "parameter_invalid", param: "external_id" });
    const found = await call("GET", `/api/v1/embedded/users/${first.mazad_user_id}`, { token: merchant.secret_key });
    expect(found.body.data.external_id).toBe("real");
  });
});

describe("POST /api/v1/users/sync (the checkout quickstart's names)", () => {
  it("accepts the quickstart's fields and maps them to the same user", async () => {
    const merchant = await newMerchant();
    const res = await call("POST", "/api/v1/users/sync", {
      token: merchant.secret_key,
      headers: { "Idempotency-Key": crypto.randomUUID() },
      body: { external_user_id: "usr_buyer_001", name: "Ahmed Al-Bayati", email: "ahmed@example.com", phone: "+9647701234567" },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ external_user_id: "usr_buyer_001", name: "Ahmed Al-Bayati", phone: "+9647701234567" });
    const viaEmbedded = await call("POST", SYNC, {
      token: merchant.secret_key,
      body: { external_id: "usr_buyer_001", full_name: "Ahmed Al-Bayati" },
    });
    expect(viaEmbedded.status).toBe(200);
    expect(viaEmbedded.body.data.wallet_id).toBe(res.body.data.wallet_id);
  });

  it("answers in the vocabulary it was asked in: external_user_id and name, the other fields as the embedded route's", async () => {
    const merchant = await newMerchant();
    const sync = (name: string) =>
      call("POST", "/api/v1/users/sync", {
        token: merchant.secret_key,
        body: { external_user_id: "usr_words", name, email: "w@example.com" },
      });
    const created = await sync("First Name");
    const updated = await sync("Second Name");
    expect([created.status, updated.status]).toEqual([201, 200]);
    const embedded = (await call("GET", "/api/v1/embedded/users/usr_words", { token: merchant.secret_key })).body.data;
    for (const answer of [created.body.data, updated.body.data]) {
      expect(answer).not.toHaveProperty("external_id");
      expect(answer).not.toHaveProperty("full_name");
      expect(answer.external_user_id).toBe("usr_words");
      const { external_id: _, full_name: __, ...rest } = embedded;
      expect(Object.keys(answer).sort()).toEqual([...Object.keys(rest), "external_user_id", "name"].sort());
    }
    expect(updated.body.data).toMatchObject({
      name: "Second Name",
      mazad_user_id: embedded.mazad_user_id,
      wallet_id: embedded.wallet_id,
      email: "w@example.com",
    });
    // The embedded route keeps its own vocabulary.
    expect(embedded).toMatchObject({ external_id: "usr_words", full_name: "Second Name" });
  });

  it("is documented with a schema of its own, listing exactly the fields it answers", async () => {
    const doc = (await call("GET", "/openapi.json")).body;
    const dataSchema = (path: string, status: string) => {
      const name = String(doc.paths[path].post.responses[status].content["application/json"].schema.properties.data.$ref).split("/").pop()!;
      return { name, properties: Object.keys(doc.components.schemas[name].properties) };
    };
    const merchant = await newMerchant();
    const answer = (
      await call("POST", "/api/v1/users/sync", { token: merchant.secret_key, body: { external_user_id: "usr_doc", name: "Doc" } })
    ).body.data;
    for (const status of ["200", "201"]) {
      const quickstart = dataSchema("/api/v1/users/sync", status);
      expect(quickstart.name).not.toBe(dataSchema(SYNC, status).name);
      expect(quickstart.properties.sort()).toEqual(Object.keys(answer).sort());
    }
  });
});

describe("GET /api/v1/embedded/users/{id}", () => {
  it("finds a user by mazad_user_id and by external id", async () => {
    const merchant = await newMerchant();
    const synced = await syncUser(merchant.secret_key, "usr_lookup");
    const byId = await call("GET", `/api/v1/embedded/users/${synced.body.data.mazad_user_id}`, { token: merchant.secret_key });
    const byExternal = await call("GET", "/api/v1/embedded/users/usr_lookup", { token: merchant.secret_key });
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual(byExternal.body);
    expect(byId.body.data).toEqual(synced.body.data);
  });

  it("answers an unknown id with 404 resource_missing", async () => {
    const merchant = await newMerchant();
    const res = await call("GET", "/api/v1/embedded/users/mzd_usr_0000000000000000", { token: merchant.secret_key });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "resource_missing", param: "id" });
  });
});
