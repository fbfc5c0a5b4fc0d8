import { runDurableObjectAlarm, runInDurableObject, evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { walletObject, type WalletDO } from "../../src/wallet/wallet-do";
import { balanceOf, call, fundedUser, newMerchant, syncUser } from "./helpers";

/** The smaller promises of the API, each found broken once by someone trying it as a user would. */

describe("the transactions `to` filter", () => {
  it("includes every entry shown with that second, though times are kept in milliseconds", async () => {
    const { merchant, user_id, wallet_id } = await fundedUser(0);
    const second_ms = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    await runInDurableObject(walletObject(env, wallet_id), (instance: WalletDO) => {
      instance.creditExternal(
        { wallet_id, now_ms: second_ms + 750 },
        { operation_id: "late-in-second", currency: "IQD", amount: 5, description: null, reference: null },
      );
    });
    const shown = new Date(second_ms).toISOString().replace(".000Z", "Z");
    const base = `/api/v1/embedded/users/${user_id}/transactions`;
    const list = await call("GET", `${base}?to=${shown}`, { token: merchant.secret_key });
    expect(list.body.data.transactions.map((t: any) => t.created_at)).toEqual([shown]);
    expect((await call("GET", `${base}?from=${shown}&to=${shown}`, { token: merchant.secret_key })).body.data.pagination.total).toBe(1);
  });
});

describe("query strings behave like bodies", () => {
  it("refuses an unknown parameter with 400 parameter_unknown, so a typo never returns everything", async () => {
    const { merchant, user_id } = await fundedUser(100);
    const res = await call("GET", `/api/v1/embedded/users/${user_id}/transactions?curency=USD`, { token: merchant.secret_key });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "parameter_unknown", param: "curency" });
    const onRead = await call("GET", `/api/v1/embedded/users/${user_id}/wallet?expand=all`, { token: merchant.secret_key });
    expect(onRead.status).toBe(400);
    expect(onRead.body.error.param).toBe("expand");
  });

  it.each([
    ["page", "page=abc"],
    ["per_page", "per_page=2.5"],
    ["page", "page=1&page=2"],
  ])("answers a %s of the wrong type with 400 parameter_invalid_type", async (param, query) => {
    const { merchant, user_id } = await fundedUser(0);
    const res = await call("GET", `/api/v1/embedded/users/${user_id}/transactions?${query}`, { token: merchant.secret_key });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "parameter_invalid_type", param });
  });

  it("treats `null` and empty values as absent", async () => {
    const { merchant, user_id } = await fundedUser(100);
    const chain = await call("GET", `/api/v1/embedded/users/${user_id}/wallet/chain?after_seq=null&limit=`, { token: merchant.secret_key });
    expect(chain.status).toBe(200);
    expect(chain.body.data.entries).toHaveLength(1);
    const list = await call("GET", `/api/v1/embedded/users/${user_id}/transactions?currency=null&per_page=`, {
      token: merchant.secret_key,
    });
    expect(list.body.data.pagination).toMatchObject({ total: 1, per_page: 20 });
  });
});

describe("transfers can be followed", () => {
  it("GET shows a transfer, with the merchant's reference, processing until the credit lands", async () => {
    const { merchant, user_id: from } = await fundedUser(5_000);
    const to = (await syncUser(merchant.secret_key)).body.data;
    // The recipient's wallet refuses credits for now, so the transfer cannot land yet.
    const target = walletObject(env, to.wallet_id);
    await runInDurableObject(target, (instance: WalletDO) => {
      (instance as unknown as { applyCredits: () => never }).applyCredits = () => {
        throw new Error("recipient unavailable");
      };
    });
    const created = await call("POST", "/api/v1/embedded/transfers", {
      token: merchant.secret_key,
      body: {
        from_user_id: from,
        to_user_id: to.mazad_user_id,
        amount: 1_200,
        currency: "IQD",
        reference: "order-77",
        description: "Refund of deposit",
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      status: "processing",
      reference: "order-77",
      from_user_id: from,
      to_user_id: to.mazad_user_id,
    });
    const id = created.body.data.id;
    expect((await call("GET", `/api/v1/embedded/transfers/${id}`, { token: merchant.secret_key })).body.data.status).toBe("processing");

    await evictDurableObject(target);
    await call("POST", "/api/v1/sandbox/clock", { token: merchant.secret_key, body: { advance_seconds: 600 } });
    const from_wallet = (await call("GET", `/api/v1/embedded/users/${from}/wallet`, { token: merchant.secret_key })).body.data.wallet_id;
    expect(await runDurableObjectAlarm(walletObject(env, from_wallet))).toBe(true);
    const landed = await call("GET", `/api/v1/embedded/transfers/${id}`, { token: merchant.secret_key });
    expect(landed.body.data).toEqual({ ...created.body.data, status: "succeeded" });
    expect(await balanceOf(merchant.secret_key, to.mazad_user_id)).toMatchObject({ available: 1_200 });
    // Both sides' entries name the transfer.
    for (const user of [from, to.mazad_user_id]) {
      const entries = await call("GET", `/api/v1/embedded/users/${user}/transactions?per_page=1`, { token: merchant.secret_key });
      expect(entries.body.data.transactions[0].reference).toBe(id);
    }
  });

  it("hides another merchant's transfer, and an id that is not one, behind a 404", async () => {
    const { merchant, user_id: from } = await fundedUser(1_000);
    const to = (await syncUser(merchant.secret_key)).body.data.mazad_user_id;
    const created = await call("POST", "/api/v1/embedded/transfers", {
      token: merchant.secret_key,
      body: { from_user_id: from, to_user_id: to, amount: 10, currency: "IQD" },
    });
    const stranger = await newMerchant();
    for (const id of [created.body.data.id, "trf_nope", `trf_${"A".repeat(32)}`]) {
      const res = await call("GET", `/api/v1/embedded/transfers/${id}`, { token: stranger.secret_key });
      expect(res.status, id).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain(from);
    }
  });

  it("shows on GET what a capture answered: commission and net", async () => {
    const { merchant, user_id } = await fundedUser(10_000);
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 10_000, currency: "IQD", reference: "lot-5" },
    });
    expect(hold.body.data).toMatchObject({ commission_amount: null, merchant_amount: null, reference: "lot-5" });
    const captured = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/capture`, { token: merchant.secret_key });
    const read = await call("GET", `/api/v1/embedded/holds/${hold.body.data.id}`, { token: merchant.secret_key });
    expect(read.body.data).toEqual(captured.body.data);
    expect(read.body.data).toMatchObject({ commission_amount: 250, merchant_amount: 9_750, reference: "lot-5" });
    expect(read.body.data).not.toHaveProperty("net_amount");
  });

  it("replays a hold capture answered before merchant_amount was named with the new name", async () => {
    const { merchant, user_id, wallet_id } = await fundedUser(10_000);
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 10_000, currency: "IQD" },
    });
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const captured = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/capture`, { token: merchant.secret_key, headers });
    // The answer as the previous version recorded it in the wallet's operation log.
    const legacy = await runInDurableObject(walletObject(env, wallet_id), (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE operations SET result = json_set(json_remove(result, '$.hold.merchant_amount'), '$.hold.net_amount', " +
          "json_extract(result, '$.hold.merchant_amount')) " +
          "WHERE json_extract(result, '$.hold.merchant_amount') IS NOT NULL",
      );
      return state.storage.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM operations WHERE json_extract(result, '$.hold.net_amount') = 9750")
        .one().n;
    });
    expect(legacy).toBe(1);
    const again = await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/capture`, { token: merchant.secret_key, headers });
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.body).toEqual(captured.body);
    expect(again.body.data).toMatchObject({ commission_amount: 250, merchant_amount: 9_750 });
    expect(again.body.data).not.toHaveProperty("net_amount");
  });
});

describe("the sandbox clock", () => {
  it("can be read, and a 422 it caused says so", async () => {
    const { merchant, user_id } = await fundedUser(1_000);
    const before = await call("GET", "/api/v1/sandbox/clock", { token: merchant.secret_key });
    expect(before.body.data.offset_seconds).toBe(0);
    await call("POST", "/api/v1/sandbox/clock", { token: merchant.secret_key, body: { advance_seconds: 7_200 } });
    const after = await call("GET", "/api/v1/sandbox/clock", { token: merchant.secret_key });
    expect(after.body.data.offset_seconds).toBe(7_200);
    expect(Date.parse(after.body.data.now) - Date.now()).toBeGreaterThan(7_190_000);

    // An hour from now is in the future on the wall clock, but already past on the sandbox's.
    const in_an_hour = new Date(Date.now() + 3_600_000).toISOString();
    const res = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 10, currency: "IQD", expires_at: in_an_hour },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.param).toBe("expires_at");
    expect(res.body.error.message).toContain("sandbox clock");
    expect(res.body.error.message).toContain(after.body.data.now.slice(0, 13));
  });
});

describe("user ids and metadata are taken as given", () => {
  const sync = (token: string, body: object) => call("POST", "/api/v1/embedded/users/sync", { token, body });

  it.each(["__proto__", "constructor", "prototype"])("refuses the metadata key %s with 422 rather than dropping it", async (key) => {
    const merchant = await newMerchant();
    const res = await call("POST", "/api/v1/embedded/users/sync", {
      token: merchant.secret_key,
      rawBody: `{"external_id": "u-${key}", "full_name": "A", "metadata": {"${key}": "x", "plan": "pro"}}`,
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "parameter_invalid", param: "metadata" });
    expect(res.body.error.message).toContain(key);
  });

  it("refuses an external id with surrounding whitespace instead of trimming it", async () => {
    const merchant = await newMerchant();
    for (const external_id of [" usr_1", "usr_1 ", "\tusr_1"]) {
      const res = await sync(merchant.secret_key, { external_id, full_name: "A" });
      expect(res.status, JSON.stringify(external_id)).toBe(422);
      expect(res.body.error.param).toBe("external_id");
    }
  });

  it("treats two Unicode spellings of one external id as one user (NFC)", async () => {
    const merchant = await newMerchant();
    const composed = "jos\u00e9";
    const decomposed = "jose\u0301";
    const first = await sync(merchant.secret_key, { external_id: composed, full_name: "José" });
    const second = await sync(merchant.secret_key, { external_id: decomposed, full_name: "José" });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.data.mazad_user_id).toBe(first.body.data.mazad_user_id);
    const read = await call("GET", `/api/v1/embedded/users/${encodeURIComponent(decomposed)}/wallet`, { token: merchant.secret_key });
    expect(read.body.data.wallet_id).toBe(first.body.data.wallet_id);
  });
});

describe("messages name the limit they enforce", () => {
  it.each([
    [{ external_id: "x".repeat(129), full_name: "A" }, "external_id", "external_id is at most 128 characters"],
    [{ external_id: "a", full_name: "A", metadata: { ["k".repeat(41)]: "v" } }, "metadata", "metadata keys are at most 40 characters"],
    [{ external_id: "a", full_name: "A", metadata: { k: "v".repeat(501) } }, "metadata.k", "metadata.k is at most 500 characters"],
    [
      { external_id: "a", full_name: "A", metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) },
      "metadata",
      "at most 20 keys",
    ],
    [{ external_id: "a", full_name: "" }, "full_name", "full_name may not be empty"],
  ])("%#: %s", async (body, param, message) => {
    const merchant = await newMerchant();
    const res = await call("POST", "/api/v1/embedded/users/sync", { token: merchant.secret_key, body });
    expect(res.status).toBe(422);
    expect(res.body.error.param).toBe(param);
    expect(res.body.error.message).toContain(message);
  });

  it("names the amount rule", async () => {
    const { merchant, user_id } = await fundedUser(0);
    const zero = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 0, currency: "IQD" },
    });
    expect(zero.body.error.message).toBe("amount must be greater than 0.");
    const huge = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 100_000_000_001, currency: "USD" },
    });
    expect(huge.body.error).toMatchObject({
      param: "amount",
      message: "amount is at most IQD 1000000000000, USD 100000000000 (minor units).",
    });
  });
});
