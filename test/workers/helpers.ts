import { env, exports } from "cloudflare:workers";
import { walletObject } from "../../src/wallet/wallet-do";

/**
 * Black-box helpers: every call goes through the worker's real fetch handler, with real D1 behind it.
 * Each helper makes fresh accounts and merchants, so tests never depend on one another's leftovers.
 */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

export async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  const res = await exports.default.fetch(new Request(`http://localhost${path}`, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (HTML pages, scripts): the raw text is the body
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export const STRONG_PASSWORD = "Correct-Horse-42";

export function uniqueEmail(label = "owner"): string {
  return `${label}-${crypto.randomUUID()}@example.com`;
}

export async function registerAndLogin(email = uniqueEmail()): Promise<{ token: string; email: string; account_id: string }> {
  const registered = await call("POST", "/api/v1/auth/register", { body: { email, password: STRONG_PASSWORD, name: "Test Owner" } });
  if (registered.status !== 201) throw new Error(`register failed: ${JSON.stringify(registered.body)}`);
  const login = await call("POST", "/api/v1/auth/login", { body: { email, password: STRONG_PASSWORD } });
  return { token: login.body.data.access_token, email, account_id: registered.body.data.id };
}

export interface TestMerchant {
  token: string;
  account_id: string;
  merchant_id: string;
  secret_key: string;
  publishable_key: string;
}

export async function newMerchant(name = "Test Shop"): Promise<TestMerchant> {
  const owner = await registerAndLogin();
  const created = await call("POST", "/api/v1/merchants", { token: owner.token, body: { name } });
  if (created.status !== 201) throw new Error(`merchant failed: ${JSON.stringify(created.body)}`);
  const { id, secret_key, publishable_key } = created.body.data;
  return { token: owner.token, account_id: owner.account_id, merchant_id: id, secret_key, publishable_key };
}

export async function createKey(merchant: TestMerchant, type: "secret" | "publishable" | "signing", mode: "sandbox" | "live") {
  const res = await call("POST", `/api/v1/merchants/${merchant.merchant_id}/api-keys`, { token: merchant.token, body: { type, mode } });
  if (res.status !== 201) throw new Error(`key failed: ${JSON.stringify(res.body)}`);
  return res.body.data as { id: string; key_id?: string; secret: string; mode: string };
}

export async function syncUser(secret_key: string, external_id = `usr_${crypto.randomUUID()}`, extra: Record<string, unknown> = {}) {
  return call("POST", "/api/v1/embedded/users/sync", { token: secret_key, body: { external_id, full_name: "Ahmed Al-Rashid", ...extra } });
}

/**
 * Signs a request exactly as docs/reference/authentication.md tells an integrator to, written here independently of the
 * server's code so the test checks the documented recipe, not the implementation against itself.
 */
export async function signedHeaders(
  key_id: string,
  secret: string,
  method: string,
  path: string,
  body = "",
  timestamp?: number,
  nonce?: string,
) {
  const ts = String(timestamp ?? Math.floor(Date.now() / 1000));
  const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const bodyHash = hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
  const canonical = `${ts}\n${method}\n${path}\n${bodyHash}` + (nonce === undefined ? "" : `\n${nonce}`);
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(canonical)));
  const headers: Record<string, string> = { "X-Api-Key": key_id, "X-Api-Timestamp": ts, "X-Api-Signature": signature };
  if (nonce !== undefined) headers["X-Api-Nonce"] = nonce;
  return headers;
}

export async function topUp(secret_key: string, user_id: string, amount: number, currency = "IQD") {
  const res = await call("POST", `/api/v1/embedded/users/${user_id}/wallet/top-ups`, { token: secret_key, body: { amount, currency } });
  if (res.status !== 201) throw new Error(`top-up failed: ${JSON.stringify(res.body)}`);
  return res;
}

export async function walletOf(secret_key: string, user_id: string) {
  const res = await call("GET", `/api/v1/embedded/users/${user_id}/wallet`, { token: secret_key });
  return res.body.data as { wallet_id: string; balances: { currency: string; available: number; held: number; total: number }[] };
}

export async function balanceOf(secret_key: string, user_id: string, currency = "IQD") {
  return (await walletOf(secret_key, user_id)).balances.find((b) => b.currency === currency)!;
}

/** A merchant with one synced user holding `amount` IQD. */
export async function fundedUser(amount: number, merchant?: TestMerchant) {
  const m = merchant ?? (await newMerchant());
  const user = await syncUser(m.secret_key);
  const user_id: string = user.body.data.mazad_user_id;
  if (amount > 0) await topUp(m.secret_key, user_id, amount);
  return { merchant: m, user_id, wallet_id: user.body.data.wallet_id as string };
}

/** A white-box count straight from D1, for asserting what was (or was not) stored. */
export async function countRows(query: string, ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(query)
    .bind(...params)
    .first<{ n: number }>();
  return row!.n;
}

/** A checkout session for a user, created as the checkout quickstart does (step 3). */
export async function newSession(secret_key: string, external_user_id: string, amount: number, extra: Record<string, unknown> = {}) {
  const res = await call("POST", "/api/v1/checkout/sessions", {
    token: secret_key,
    headers: { "Idempotency-Key": crypto.randomUUID() },
    body: {
      external_user_id,
      amount,
      currency: "IQD",
      description: "Order #1042 — Antique Vase",
      success_url: "https://shop.example/success",
      cancel_url: "https://shop.example/cancel",
      metadata: { order_id: "1042" },
      ...extra,
    },
  });
  if (res.status !== 201) throw new Error(`session failed: ${JSON.stringify(res.body)}`);
  return res.body.data as {
    id: string;
    client_secret: string;
    checkout_url: string;
    status: string;
    payment_id: string | null;
    expires_at: string;
    locale: "auto" | "ar" | "en";
  };
}

export async function newIntent(secret_key: string, amount: number, currency = "USD") {
  const res = await call("POST", "/api/v1/payment-intents", {
    token: secret_key,
    body: {
      amount,
      currency,
      description: "Premium plan",
      success_url: "https://shop.example/thanks",
      cancel_url: "https://shop.example/cart",
    },
  });
  if (res.status !== 201) throw new Error(`intent failed: ${JSON.stringify(res.body)}`);
  return res.body.data as {
    id: string;
    client_secret: string;
    checkout_url: string;
    status: string;
    expires_at: string;
    attempts_remaining: number;
  };
}

export const TEST_CARD = { number: "4242 4242 4242 4242", exp_month: 12, exp_year: 2030, cvc: "123", name: "Ahmed Al-Bayati" };

export function payWithWallet(checkout: { id: string; client_secret: string }, otp = "123456") {
  return call("POST", `/checkout/${checkout.id}/pay`, { body: { client_secret: checkout.client_secret, method: "wallet", otp } });
}

export function payWithCard(checkout: { id: string; client_secret: string }, card: Partial<typeof TEST_CARD> = {}) {
  return call("POST", `/checkout/${checkout.id}/pay`, {
    body: { client_secret: checkout.client_secret, method: "card", card: { ...TEST_CARD, ...card } },
  });
}

/** Delivers every outbox row of these wallets now, so balances can be compared without waiting for alarms. */
export async function settle(...wallet_ids: string[]) {
  for (let round = 0; round < 2; round++) {
    for (const wallet_id of wallet_ids) await walletObject(env, wallet_id).flushOutbox({ wallet_id, now_ms: Date.now() });
  }
}

/** Reads until `done` holds (the queue and the alarms work off the response path), or fails after `timeout_ms` saying what it saw. */
export async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeout_ms = 20_000): Promise<T> {
  const until = Date.now() + timeout_ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
