import { createHash } from "node:crypto";
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { verifyChain, type ChainEntry } from "../../src/domain/ledger";
import { walletObject, type WalletDO } from "../../src/wallet/wallet-do";
import { call, fundedUser, newMerchant, syncUser, topUp } from "./helpers";

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

describe("GET /embedded/users/{id}/transactions", () => {
  it("answers the spec's example request in the spec's shape, newest first", async () => {
    const merchant = await newMerchant();
    await syncUser(merchant.secret_key, "usr_12345");
    await topUp(merchant.secret_key, "usr_12345", 1_500_000);
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id: "usr_12345", amount: 50_000, currency: "IQD", reference: "pay_x1y2z3" },
    });
    await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/capture`, { token: merchant.secret_key });
    await topUp(merchant.secret_key, "usr_12345", 5_000, "USD");
    const res = await call("GET", "/api/v1/embedded/users/usr_12345/transactions?currency=IQD&per_page=10&page=1", {
      token: merchant.secret_key,
    });
    expect(res.status).toBe(200);
    const { transactions, pagination } = res.body.data;
    expect(pagination).toEqual({ page: 1, per_page: 10, total: 3, total_pages: 1 });
    expect(transactions.map((t: any) => t.type)).toEqual(["debit", "hold", "credit"]);
    expect(Object.keys(transactions[0]).sort()).toEqual([
      "amount",
      "balance_after",
      "created_at",
      "currency",
      "description",
      "id",
      "reference",
      "type",
    ]);
    // An entry's reference is the hold (transfer, payment…) it belongs to; the merchant's own reference stays on the hold.
    expect(transactions[0]).toMatchObject({
      type: "debit",
      amount: 50_000,
      currency: "IQD",
      reference: hold.body.data.id,
      balance_after: 1_450_000,
    });
    expect(hold.body.data.reference).toBe("pay_x1y2z3");
    expect(transactions[2]).toMatchObject({ type: "credit", amount: 1_500_000, balance_after: 1_500_000 });
  });

  it("filters by type and time range and pages", async () => {
    const { merchant, user_id } = await fundedUser(0);
    for (let i = 1; i <= 5; i++) await topUp(merchant.secret_key, user_id, i * 100);
    const base = `/api/v1/embedded/users/${user_id}/transactions`;
    const page2 = await call("GET", `${base}?per_page=2&page=2`, { token: merchant.secret_key });
    expect(page2.body.data.transactions.map((t: any) => t.amount)).toEqual([300, 200]);
    expect(page2.body.data.pagination).toEqual({ page: 2, per_page: 2, total: 5, total_pages: 3 });
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((await call("GET", `${base}?from=${future}`, { token: merchant.secret_key })).body.data.pagination.total).toBe(0);
    expect((await call("GET", `${base}?to=${future}&type=credit`, { token: merchant.secret_key })).body.data.pagination.total).toBe(5);
    expect((await call("GET", `${base}?type=hold`, { token: merchant.secret_key })).body.data.transactions).toEqual([]);
  });

  it.each([
    ["currency", "currency=EUR"],
    ["type", "type=withdrawal"],
    ["from", "from=yesterday"],
    ["per_page", "per_page=101"],
    ["per_page", "per_page=0"],
    ["from", `from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`],
  ])("answers a bad %s filter with 422", async (param, query) => {
    const { merchant, user_id } = await fundedUser(0);
    const res = await call("GET", `/api/v1/embedded/users/${user_id}/transactions?${query}`, { token: merchant.secret_key });
    expect(res.status).toBe(422);
    expect(res.body.error.param).toBe(param);
  });

  it("limits each merchant to 60 requests a minute, exactly, with rate-limit headers", async () => {
    const { merchant, user_id } = await fundedUser(0);
    const path = `/api/v1/embedded/users/${user_id}/transactions`;
    const results = await Promise.all(Array.from({ length: 61 }, () => call("GET", path, { token: merchant.secret_key })));
    const limited = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200)).toHaveLength(60);
    expect(limited).toHaveLength(1);
    const refusal = limited[0]!;
    expect(refusal.body.error.code).toBe("rate_limited");
    expect(Number(refusal.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(Number(refusal.headers.get("Retry-After"))).toBeLessThanOrEqual(60);
    expect(refusal.headers.get("X-RateLimit-Limit")).toBe("60");
    expect(refusal.headers.get("X-RateLimit-Remaining")).toBe("0");
    expect(Number(refusal.headers.get("X-RateLimit-Reset"))).toBeGreaterThan(Date.now() / 1000);
    const remaining = results.filter((r) => r.status === 200).map((r) => Number(r.headers.get("X-RateLimit-Remaining")));
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    // Another merchant has its own budget.
    const other = await fundedUser(0);
    expect((await call("GET", `/api/v1/embedded/users/${other.user_id}/transactions`, { token: other.merchant.secret_key })).status).toBe(
      200,
    );
  });
});

describe("the hash chain", () => {
  it("returns entries a client can verify offline, and detects tampering", async () => {
    const { merchant, user_id, wallet_id } = await fundedUser(9_000);
    const to = (await syncUser(merchant.secret_key)).body.data.mazad_user_id;
    await call("POST", "/api/v1/embedded/transfers", {
      token: merchant.secret_key,
      body: { from_user_id: user_id, to_user_id: to, amount: 1_000, currency: "IQD" },
    });
    const hold = await call("POST", "/api/v1/embedded/holds", {
      token: merchant.secret_key,
      body: { user_id, amount: 2_000, currency: "IQD" },
    });
    await call("POST", `/api/v1/embedded/holds/${hold.body.data.id}/release`, { token: merchant.secret_key });
    const res = await call("GET", `/api/v1/embedded/users/${user_id}/wallet/chain`, { token: merchant.secret_key });
    expect(res.status).toBe(200);
    const entries: ChainEntry[] = res.body.data.entries.map((e: any) => ({ ...e, wallet_id }));
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(res.body.data).toMatchObject({ last_seq: 4, has_more: false });
    const verified = verifyChain(entries, sha256Hex);
    expect(verified.ok).toBe(true);
    if (verified.ok) expect(verified.balances.get("IQD")).toEqual({ available: 8_000, held: 0 });

    const tampered = entries.map((e) => (e.seq === 2 ? { ...e, amount: e.amount + 1 } : e));
    expect(verifyChain(tampered, sha256Hex)).toMatchObject({ ok: false, seq: 2 });
    const page = await call("GET", `/api/v1/embedded/users/${user_id}/wallet/chain?after_seq=2&limit=1`, { token: merchant.secret_key });
    expect(page.body.data.entries.map((e: any) => e.seq)).toEqual([3]);
    expect(page.body.data.has_more).toBe(true);
  });
});

describe("a wallet with 100,000 entries", () => {
  it("uses an index for every filter combination, with no full scan and no sort", async () => {
    const { merchant, user_id, wallet_id } = await fundedUser(0);
    const stub = walletObject(env, wallet_id);
    await runInDurableObject(stub, (instance: WalletDO) => {
      const start_ms = Date.now() - 100_000_000;
      for (let i = 0; i < 100_000; i++) {
        const currency = i % 3 === 0 ? "USD" : "IQD";
        const call = { wallet_id, now_ms: start_ms + i * 1000 };
        const move = {
          operation_id: `bulk-${i}`,
          currency: currency as "IQD" | "USD",
          amount: 1 + (i % 7),
          description: null,
          reference: null,
        };
        if (i % 10 === 9) instance.placeHold(call, { ...move, hold_id: `hld_bulk_${i}`, user_id, expires_at_ms: null });
        else instance.creditExternal(call, move);
      }
    });

    const filterSets = [{}, { currency: "IQD" }, { type: "hold" }, { currency: "USD", type: "credit" }] as const;
    for (const filters of filterSets) {
      const plan = await stub.explainListEntries(filters);
      const detail = plan.join(" | ");
      expect(detail, JSON.stringify(filters)).not.toMatch(/\bSCAN entries\b(?! USING)/);
      expect(detail, JSON.stringify(filters)).not.toMatch(/SCAN entries USING (COVERING )?INDEX/);
      expect(detail, JSON.stringify(filters)).not.toContain("TEMP B-TREE");
      expect(detail, JSON.stringify(filters)).toMatch(/SEARCH entries USING (COVERING )?INDEX/);
    }

    const base = `/api/v1/embedded/users/${user_id}/transactions`;
    const newest = await call("GET", `${base}?per_page=100`, { token: merchant.secret_key });
    expect(newest.body.data.pagination.total).toBe(100_000);
    expect(newest.body.data.transactions).toHaveLength(100);
    const holds = await call("GET", `${base}?type=hold&currency=IQD&page=3&per_page=50`, { token: merchant.secret_key });
    expect(holds.body.data.transactions.every((t: any) => t.type === "hold" && t.currency === "IQD")).toBe(true);
    expect(holds.body.data.pagination.total).toBe(6_666);
    const dates = holds.body.data.transactions.map((t: any) => Date.parse(t.created_at));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
  }, 120_000);
});
