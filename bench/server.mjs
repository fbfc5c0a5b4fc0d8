// Serves the dry-run bundle and the floor worker with the Miniflare API, in one workerd process,
// each worker on its own loopback port (a direct socket: no Miniflare entry worker in front, no
// `wrangler dev` proxy and inspector, which cost about 10x).
import { randomBytes } from "node:crypto";
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { ROOT } from "./bundle.mjs";

export const APP = "mazad-wallet";
/** Every Miniflare this process started and has not disposed, so Ctrl-C can stop them all. */
const live = new Set();
export const FLOOR = "bench-floor";

/**
 * What the workers and Miniflare say is kept for the report instead of printed: an app that logs
 * an error per request would otherwise flood the terminal and slow the run it is measured in.
 */
class CollectingLog extends Log {
  /** Warnings and errors, the first 200. @type {string[]} */
  lines = [];
  /** Lines per level (console.log, console.error, uncaught exceptions...). @type {Record<string, number>} */
  counts = {};
  /** @param {string} [file] where every line also goes (the reliability harness scans it for card data) */
  constructor(file) {
    super(LogLevel.WARN);
    this.file = file;
  }
  /** Miniflare's own messages. @param {string} message */
  log(message) {
    this.keep("warn", message);
  }
  /** The workers' console and uncaught errors, from workerd's structured logs. @param {{ level: string, message: string }} entry */
  structured(entry) {
    this.keep(entry.level, entry.message);
  }
  /** @param {string} level @param {string} message */
  keep(level, message) {
    if (this.file) appendFileSync(this.file, `${level}: ${message}\n`);
    this.counts[level] = (this.counts[level] ?? 0) + 1;
    if ((level === "warn" || level === "error") && this.lines.length < 200) this.lines.push(`${level}: ${message}`);
  }
}

/**
 * Worker options for the app, from wrangler.toml, pointed at the bundled output instead of src/.
 * The extra modules wrangler emitted (hash-prefixed, e.g. the docs' vendor files) get the module
 * type of the wrangler.toml rule that matches their original name.
 * @param {string} bundleDir
 */
function appWorkerOptions(bundleDir) {
  // wrangler types these options for its own Miniflare; they are the v4 shape converted below.
  const { workerOptions } = /** @type {{ workerOptions: any }} */ (unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml")));
  const rules = workerOptions.modulesRules ?? [];
  const modules = readdirSync(bundleDir)
    .filter((name) => !name.endsWith(".map") && name !== "README.md")
    .map((name) => {
      if (name === "index.js") return { type: "ESModule", path: path.join(bundleDir, name) };
      const original = name.replace(/^[0-9a-f]{40}-/, "");
      const rule = rules.find((r) => r.include.some((glob) => path.matchesGlob(original, glob)));
      if (!rule) throw new Error(`no module rule in wrangler.toml matches the bundled file ${name}`);
      return { type: rule.type, path: path.join(bundleDir, name) };
    })
    // The entry module must come first.
    .sort((a, b) => Number(b.path.endsWith("index.js")) - Number(a.path.endsWith("index.js")));
  const { modulesRules: _rules, rootPath: _root, ...rest } = workerOptions;
  return {
    ...rest,
    name: APP,
    modules,
    modulesRoot: bundleDir,
    // Secrets are never in wrangler.toml: fresh random ones per run (docs/operating/secrets.md).
    bindings: {
      ...workerOptions.bindings,
      JWT_SECRET: randomBytes(32).toString("hex"),
      DATA_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    },
    // The maintenance cron would only add noise; Miniflare does not fire crons by itself anyway.
    cronTriggers: [],
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
}

/** @param {string} compatibilityDate */
function floorWorkerOptions(compatibilityDate) {
  return {
    name: FLOOR,
    modules: true,
    scriptPath: path.join(import.meta.dirname, "floor-worker.mjs"),
    compatibilityDate,
    durableObjects: { FLOOR_WALLET: { className: "FloorWallet", useSQLite: true } },
    d1Databases: { FLOOR_DB: "bench-floor-db" },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
}

/**
 * Applies migrations/*.sql in order, statement by statement (drizzle-kit separates them with
 * `--> statement-breakpoint`), the way `wrangler d1 migrations apply` does.
 * @param {import("miniflare").Miniflare} mf
 */
async function applyD1Migrations(mf) {
  const db = await mf.getD1Database("DB", APP);
  const dir = path.join(ROOT, "migrations");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  for (const file of files) {
    const statements = readFileSync(path.join(dir, file), "utf8")
      .split("--> statement-breakpoint")
      .map((s) => s.trim())
      .filter(Boolean);
    await db.batch(statements.map((s) => db.prepare(s)));
  }
  return files;
}

/**
 * @param {{ bundleDir: string, persistDir: string, withFloor?: boolean, inspectorPort?: number, logFile?: string,
 *   vars?: Record<string, string> }} options
 *   `inspectorPort`: the app's isolate gets a DevTools inspector there (bench/profile.mjs);
 *   `logFile`: every log line is appended there too
 */
export async function startServer({ bundleDir, persistDir, withFloor = true, inspectorPort, logFile, vars = {} }) {
  const log = new CollectingLog(logFile);
  const base = appWorkerOptions(bundleDir);
  const app = { ...base, bindings: { ...base.bindings, ...vars }, ...(inspectorPort ? { unsafeInspectorProxy: true } : {}) };
  // Miniflare 5 takes a new options shape; wrangler still produces the v4 one, which it converts.
  const mf = new Miniflare(
    convertV4MiniflareOptions(
      /** @type {import("miniflare").V4MiniflareOptions} */ ({
        log,
        handleStructuredLogs: (entry) => log.structured(entry),
        // No network here: use Miniflare's placeholder `request.cf` instead of fetching the real one.
        cf: false,
        resourcePersistencePath: persistDir,
        ...(inspectorPort ? { inspectorPort } : {}),
        workers: withFloor ? [app, floorWorkerOptions(app.compatibilityDate)] : [app],
      }),
    ),
  );
  live.add(mf);
  const dispose = async () => {
    live.delete(mf);
    await mf.dispose();
  };
  try {
    const appUrl = (await mf.unsafeGetDirectURL(APP)).href.replace(/\/$/, "");
    const floorUrl = withFloor ? (await mf.unsafeGetDirectURL(FLOOR)).href.replace(/\/$/, "") : null;
    return { mf, log, appUrl, floorUrl, dispose };
  } catch (error) {
    await dispose().catch(() => {});
    throw error;
  }
}

/** Stops every Miniflare still running (their workerd processes with them). */
export async function disposeAll() {
  await Promise.all([...live].map((mf) => mf.dispose().catch(() => {})));
  live.clear();
}

/**
 * Prepares storage: the app's D1 schema and the floor's one table.
 * @param {import("miniflare").Miniflare} mf @param {{ withFloor?: boolean }} [options]
 */
export async function prepareStorage(mf, { withFloor = true } = {}) {
  const migrations = await applyD1Migrations(mf);
  if (!withFloor) return migrations;
  const floorDb = await mf.getD1Database("FLOOR_DB", FLOOR);
  await floorDb
    .prepare("CREATE TABLE IF NOT EXISTS floor_rows (id TEXT PRIMARY KEY, amount INTEGER NOT NULL, created_at_ms INTEGER NOT NULL)")
    .run();
  return migrations;
}

/**
 * Cold start as a developer sees it: from `new Miniflare(...)` (workerd spawned, the bundle
 * parsed and evaluated) to the first 200 from /health.
 * @param {{ bundleDir: string, persistDir: string }} options
 */
export async function measureStartTime({ bundleDir, persistDir }) {
  const started = performance.now();
  const { appUrl, dispose } = await startServer({ bundleDir, persistDir, withFloor: false });
  try {
    const listening_ms = performance.now() - started;
    for (;;) {
      const res = await fetch(`${appUrl}/health`).catch(() => null);
      await res?.arrayBuffer();
      if (res?.ok) break;
      if (performance.now() - started > 60_000) throw new Error("the app did not answer /health within 60 s");
      await new Promise((r) => setTimeout(r, 5));
    }
    return { listening_ms, first_health_ms: performance.now() - started };
  } finally {
    await dispose();
  }
}
