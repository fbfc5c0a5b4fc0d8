// `node bench/transactions-alone.mjs` (with the project's Node: `npx -p node@22` or node_modules/.bin/node):
// the transactions-page scenario of run.mjs on its own, to compare two commits on one machine
// without the rest of the run. Seeds one wallet with HOLDS holds (default 100,000) through the
// public API, waits for the events queue to drain, then samples BATCHES batches (default 4) of 50
// pages a minute apart (the route's rate limit), as run.mjs does, and prints the latencies.
//
// To compare a commit with this one: clone it, copy this directory's *.mjs over its bench/, run
// there, then here, and again in the other order. README.md has the results of such a comparison.
import { execSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildBundle, ROOT } from "./bundle.mjs";
import { sampleTransactions } from "./scenarios.mjs";
import { apiClient, seedHolds, seedMerchant, seedUsers } from "./seed.mjs";
import { APP, disposeAll, prepareStorage, startServer } from "./server.mjs";

const HOLDS = Number(process.env.HOLDS ?? 100_000);
const BATCHES = Number(process.env.BATCHES ?? 4);
const RATE_WINDOW_MS = 61_000;

/** @param {number[]} xs @param {number} p */
const quantile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
/** @param {number[]} xs */
const describe = (xs) =>
  `n=${xs.length} p50=${quantile(xs, 0.5).toFixed(2)} p90=${quantile(xs, 0.9).toFixed(2)} ` +
  `p99=${quantile(xs, 0.99).toFixed(2)} max=${Math.max(...xs).toFixed(2)} ms`;

const tmp = mkdtempSync(path.join(os.tmpdir(), "transactions-alone-"));
const commit = execSync("git rev-parse --short HEAD", { cwd: ROOT }).toString().trim();
const bundle = await buildBundle(path.join(tmp, "dist"));
const server = await startServer({ bundleDir: bundle.dir, persistDir: path.join(tmp, "state") });
await prepareStorage(server.mf);
const api = apiClient(server.appUrl);
const { secret_key } = await seedMerchant(api, "main");
await seedUsers(api, secret_key, ["bench_big"], 1e12);
const seeding_started = performance.now();
await seedHolds(server.appUrl, secret_key, "bench_big", HOLDS);
console.log(`seeded ${HOLDS} holds in ${((performance.now() - seeding_started) / 1000).toFixed(0)} s`);

// Every hold recorded an event the queue consumer indexes in D1: measuring while that drains would measure the drain.
const db = await server.mf.getD1Database("DB", APP);
for (let stable = 0, last = -1; stable < 3; ) {
  await new Promise((r) => setTimeout(r, 1_000));
  const row = /** @type {{ n: number, unfanned: number }} */ (
    await db.prepare("SELECT count(*) AS n, sum(fanned_out_at_ms IS NULL) AS unfanned FROM events").first()
  );
  stable = row.n === last && !row.unfanned ? stable + 1 : 0;
  last = row.n;
}

/** @type {number[]} */ const first = [];
/** @type {number[]} */ const deep = [];
/** @type {number[]} */ const after_idle = [];
for (let batch = 0; batch < BATCHES; batch++) {
  if (batch > 0) await new Promise((r) => setTimeout(r, RATE_WINDOW_MS));
  const sampled = await sampleTransactions(api, { secret_key, big: "bench_big" }, 50);
  first.push(...sampled.first);
  deep.push(...sampled.deep);
  if (sampled.after_idle_ms !== null) after_idle.push(sampled.after_idle_ms);
  console.log(`batch ${batch}: statuses ${JSON.stringify(sampled.statuses)}, ${sampled.total} entries`);
}
console.log(`[${commit}] first pages ${describe(first)}`);
console.log(`[${commit}] deep pages  ${describe(deep)}`);
console.log(`[${commit}] first request after each pause: ${after_idle.map((ms) => ms.toFixed(1)).join(", ")} ms`);
console.log(
  `[${commit}] slowest first pages: ${[...first]
    .sort((a, b) => b - a)
    .slice(0, 8)
    .map((ms) => ms.toFixed(1))
    .join(", ")} ms`,
);
await disposeAll();
process.exit(0);
