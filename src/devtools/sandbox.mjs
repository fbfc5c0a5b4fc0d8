#!/usr/bin/env node
// `npm run dev`: a seeded local sandbox. Applies the local D1 migrations, starts `wrangler dev`,
// and seeds a sandbox merchant through the public API (the same calls an integrator makes),
// then prints its keys. Data and keys persist under .wrangler/, so a restart keeps both.
// Usage: npm run dev [-- --port N] (other flags pass through to wrangler dev).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const STATE_FILE = path.join(root, ".wrangler", "sandbox-credentials.json");
const DEV_VARS = path.join(root, ".dev.vars");
const DEV_ACCOUNT = { email: "dev@sandbox.local", password: "Sandbox-Pass-2026", name: "Sandbox Developer" };

const quietEnv = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
const wranglerBin = path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");

/** @param {string[]} argv */
function parsePort(argv) {
  const i = argv.indexOf("--port");
  if (i >= 0 && argv[i + 1]) return { port: Number(argv[i + 1]), rest: [...argv.slice(0, i), ...argv.slice(i + 2)] };
  return { port: 8787, rest: argv };
}

// Local secrets are made once per checkout; production ones come from `wrangler secret put`.
function ensureDevVars() {
  if (existsSync(DEV_VARS)) return;
  const vars = [`JWT_SECRET="${randomBytes(32).toString("hex")}"`, `DATA_ENCRYPTION_KEY="${randomBytes(32).toString("base64")}"`];
  writeFileSync(DEV_VARS, vars.join("\n") + "\n", { mode: 0o600 });
  console.log("Created .dev.vars with fresh local secrets.");
}

function applyMigrations() {
  const result = spawnSync(process.execPath, [wranglerBin, "d1", "migrations", "apply", "DB", "--local"], {
    cwd: root,
    env: { ...quietEnv, CI: "true" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** @param {string} base */
async function waitForHealth(base, timeout_ms = 60_000) {
  const deadline = Date.now() + timeout_ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the worker did not answer ${base}/health within ${timeout_ms / 1000} s`);
}

/**
 * @param {string} base
 * @param {string} method
 * @param {string} route
 * @param {unknown} [body]
 * @param {string} [token]
 */
async function api(base, method, route, body, token) {
  /** @type {Record<string, string>} */
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** @param {string} base */
async function storedCredentialsStillWork(base) {
  if (!existsSync(STATE_FILE)) return null;
  const saved = JSON.parse(readFileSync(STATE_FILE, "utf8"));
  const probe = await api(base, "GET", "/api/v1/embedded/users/__sandbox_probe__", undefined, saved.secret_key);
  return probe.status === 404 ? saved : null;
}

/** @param {string} base */
async function seed(base) {
  const registered = await api(base, "POST", "/api/v1/auth/register", DEV_ACCOUNT);
  if (registered.status !== 201 && registered.body?.error?.code !== "email_taken") throw new Error(JSON.stringify(registered.body));
  const login = await api(base, "POST", "/api/v1/auth/login", { email: DEV_ACCOUNT.email, password: DEV_ACCOUNT.password });
  const token = login.body.data.access_token;
  const merchant = await api(base, "POST", "/api/v1/merchants", { name: "Sandbox Merchant", website: "https://merchant.example" }, token);
  if (merchant.status !== 201) throw new Error(JSON.stringify(merchant.body));
  const signing = await api(
    base,
    "POST",
    `/api/v1/merchants/${merchant.body.data.id}/api-keys`,
    { type: "signing", mode: "sandbox", name: "Sandbox signing" },
    token,
  );
  const credentials = {
    merchant_id: merchant.body.data.id,
    secret_key: merchant.body.data.secret_key,
    publishable_key: merchant.body.data.publishable_key,
    signing_key_id: signing.body.data.key_id,
    signing_secret: signing.body.data.secret,
    dashboard_email: DEV_ACCOUNT.email,
    dashboard_password: DEV_ACCOUNT.password,
  };
  mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600 });
  return credentials;
}

/** @param {string} base @param {Record<string, string>} c */
function printBanner(base, c) {
  const lines = [
    "",
    "Mazad Wallet sandbox is ready",
    `  API            ${base}/api/v1`,
    `  Docs           ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
    `  Dashboard      ${base}/admin  (log in with the account below)`,
    `  Merchant id    ${c.merchant_id}`,
    `  Secret key     ${c.secret_key}`,
    `  Publishable    ${c.publishable_key}`,
    `  Signing key    ${c.signing_key_id}`,
    `  Signing secret ${c.signing_secret}`,
    // The account owns the seeded merchant: it logs in to the dashboard, and to the account API (a JWT from login).
    `  Account        ${c.dashboard_email} / ${c.dashboard_password}   (the dashboard; or POST /api/v1/auth/login for a JWT)`,
    `  (saved in ${path.relative(root, STATE_FILE)}; data persists in .wrangler/ across restarts)`,
    "",
  ];
  console.log(lines.join("\n"));
}

async function main() {
  const { port, rest } = parsePort(process.argv.slice(2));
  const base = `http://localhost:${port}`;
  ensureDevVars();
  applyMigrations();
  const dev = spawn(process.execPath, [wranglerBin, "dev", "--port", String(port), ...rest], {
    cwd: root,
    env: quietEnv,
    stdio: "inherit",
  });
  for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) process.on(signal, () => dev.kill(signal));
  dev.on("exit", (code) => process.exit(code ?? 0));
  try {
    await waitForHealth(base);
    const credentials = (await storedCredentialsStillWork(base)) ?? (await seed(base));
    printBanner(base, credentials);
  } catch (error) {
    console.error(`Sandbox seeding failed: ${error instanceof Error ? error.message : error}`);
  }
}

await main();
