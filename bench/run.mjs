#!/usr/bin/env node
// `npm run bench [-- --quick] [--rounds N] [--duration S] [--holds N] [--wallets N]`
//
// Builds the worker as a deploy would, serves it with the Miniflare API next to a floor worker,
// seeds data through the public API, measures every scenario next to its floor (alternating, in
// rounds, medians), and writes bench/results/latest.{json,md,svg}. About 10 minutes in full;
// --quick (short runs, 200 wallets, 10,000 holds) is a smoke test under a minute.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildBundle, children, profileStartup } from "./bundle.mjs";
import { describeMachine } from "./machine.mjs";
import { consoleSummary, evaluateGoals, writeReport } from "./report.mjs";
import { measureFanOut, measurePaymentFlow } from "./flows.mjs";
import { CONCURRENCY, closedLoopGroups, measureRun, openLoopRun, overloadRun, sampleTransactions, summarize } from "./scenarios.mjs";
import { apiClient, eachLimited, seedHolds, seedMerchant, seedUsers } from "./seed.mjs";
import { APP, disposeAll, measureStartTime, prepareStorage, startServer } from "./server.mjs";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    duration: { type: "string" },
    holds: { type: "string" },
    wallets: { type: "string" },
  },
});

const config = flags.quick
  ? {
      mode: "quick",
      rounds: 1,
      run_duration_s: 0.7,
      warm_s: 0.2,
      spread_wallets: 200,
      seeded_holds: 10_000,
      open_loop_s: 1.5,
      overload_s: 1.5,
      start_samples: 1,
      check_startup: false,
      tx_batch: 50,
      fan_out_events: 300,
    }
  : {
      mode: "full",
      rounds: 3,
      run_duration_s: 5,
      warm_s: 1,
      spread_wallets: 1000,
      seeded_holds: 100_000,
      open_loop_s: 5,
      overload_s: 10,
      start_samples: 3,
      check_startup: true,
      tx_batch: 50,
      fan_out_events: 2000,
    };
if (flags.rounds) config.rounds = Number(flags.rounds);
if (flags.duration) config.run_duration_s = Number(flags.duration);
if (flags.holds) config.seeded_holds = Number(flags.holds);
if (flags.wallets) config.spread_wallets = Number(flags.wallets);

// Sandbox top-ups: at most 10^12 IQD each; holds are 1 IQD, so this never runs out.
const BIG_TOP_UP = 1e12;
const SPREAD_TOP_UP = 1e9;
/** The transactions list allows 60 requests per sliding minute per merchant. */
const RATE_WINDOW_MS = 61_000;

const tmp = mkdtempSync(path.join(os.tmpdir(), "mazad-bench-"));
const t0 = performance.now();
/** @param {string} message */
const progress = (message) => console.error(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${message}`);

/** @type {Promise<void> | null} */
let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    for (const child of children) child.kill("SIGTERM");
    await disposeAll();
    rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM", "SIGHUP"])) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping Miniflare and removing ${tmp}`);
    cleanup().finally(() => process.exit(130));
  });
}
// Miniflare's own signal handler kills workerd and exits at once, before an async cleanup can run:
// whatever is left is removed synchronously on the way out.
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
});

/** @param {number[]} xs */
const median = (xs) => {
  const s = xs.filter((x) => x != null && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Waits until the events index stops growing and everything in it was fanned out.
 * @param {import("miniflare").Miniflare} mf
 */
async function drainEvents(mf) {
  const db = await mf.getD1Database("DB", APP);
  const count = async () =>
    /** @type {{ n: number, unfanned: number }} */ (
      await db.prepare("SELECT count(*) AS n, sum(fanned_out_at_ms IS NULL) AS unfanned FROM events").first()
    );
  const start = performance.now();
  const first = await count();
  let last = first;
  for (let stable = 0; stable < 3 && performance.now() - start < 900_000; ) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = await count();
    stable = now.n === last.n && !now.unfanned ? stable + 1 : 0;
    last = now;
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    events_at_start: first.n,
    events_recorded: last.n - first.n,
    seconds,
    events_per_s: (last.n - first.n) / Math.max(1, seconds - 3),
  };
}

/** @template T @param {T[]} xs @param {number} k */
const rotate = (xs, k) => xs.slice(k % xs.length).concat(xs.slice(0, k % xs.length));

async function main() {
  const started_at = new Date().toISOString();
  const machine = describeMachine();
  /** @type {any} */
  const results = { schema: "mazad-bench/1", mode: config.mode, started_at, machine, config, phases_s: {} };
  const phase = async (name, fn) => {
    const at = performance.now();
    progress(name);
    const value = await fn();
    results.phases_s[name] = (performance.now() - at) / 1000;
    return value;
  };

  // ---- the bundle, and how fast a fresh worker starts --------------------------------------------
  const bundle = await phase("build (wrangler deploy --dry-run)", () => buildBundle(path.join(tmp, "dist")));
  const { dir: bundleDir, ...bundleFigures } = bundle;
  results.bundle = bundleFigures;
  const startSamples = await phase("start time", async () => {
    const samples = [];
    for (let i = 0; i < config.start_samples; i++)
      samples.push(await measureStartTime({ bundleDir, persistDir: path.join(tmp, `start-${i}`) }));
    return samples;
  });
  results.startup = {
    samples: startSamples,
    listening_ms: median(startSamples.map((s) => s.listening_ms)),
    first_health_ms: median(startSamples.map((s) => s.first_health_ms)),
    wrangler_dry_run_startup_ms: bundle.wrangler_startup_ms,
    wrangler_check_startup: null,
  };
  if (config.check_startup) {
    const profile = await phase("wrangler check startup", () => profileStartup(path.join(tmp, "startup.cpuprofile")));
    results.startup.wrangler_check_startup = { active_ms: profile.active_ms, window_ms: profile.window_ms };
  }

  // ---- the server and its data ------------------------------------------------------------------
  const server = await phase("start Miniflare (app + floor) and apply D1 migrations", async () => {
    const s = await startServer({ bundleDir, persistDir: path.join(tmp, "state"), logFile: process.env.BENCH_LOG_FILE });
    results.d1_migrations = await prepareStorage(s.mf);
    return s;
  });
  const urls = { appUrl: server.appUrl, floorUrl: /** @type {string} */ (server.floorUrl) };
  const api = apiClient(server.appUrl);
  const floorApi = apiClient(urls.floorUrl);

  // Webhook fan-out first, on an idle system: later the queue also carries every hold the other
  // scenarios place (each is an event for the events index), and this would measure that backlog.
  results.fan_out = await phase(
    `webhooks: ${config.fan_out_events} holds -> hold.created -> a verifying receiver on localhost`,
    async () => {
      const { secret_key } = await seedMerchant(api, "hooks");
      await seedUsers(api, secret_key, ["hooks_user"], BIG_TOP_UP);
      return measureFanOut(api, server.appUrl, { secret_key, user: "hooks_user" }, config.fan_out_events);
    },
  );
  const payer = await phase("seed the payments merchant", () => seedMerchant(api, "payments"));

  const seeded = await phase(
    `seed merchant, ${config.spread_wallets + 3} users, ${config.seeded_holds.toLocaleString("en")} holds`,
    async () => {
      const { secret_key } = await seedMerchant(api, "main");
      const spread = Array.from({ length: config.spread_wallets }, (_, i) => `bench_w${i}`);
      await seedUsers(api, secret_key, ["bench_hot", "bench_zero", "bench_big"], BIG_TOP_UP);
      // The many holds and the many users go in side by side: seeding is not a measurement.
      const at = performance.now();
      const [holds, users_s] = await Promise.all([
        seedHolds(server.appUrl, secret_key, "bench_big", config.seeded_holds),
        seedUsers(api, secret_key, spread, SPREAD_TOP_UP).then(() => (performance.now() - at) / 1000),
      ]);
      results.seeding = {
        users: spread.length + 3,
        users_s,
        holds: config.seeded_holds,
        holds_s: (performance.now() - at) / 1000,
        holds_rps: holds.rps,
        holds_p99_ms: holds.p99_ms,
      };
      return { secret_key, hot: "bench_hot", zero: "bench_zero", big: "bench_big", spread, big_holds: config.seeded_holds };
    },
  );

  // Every seeded hold recorded an event the queue consumer writes to D1 behind the seeding's back;
  // measuring while that backlog drains would measure the backlog. Wait for it, and report its pace.
  results.seeding.events_drain = await phase("drain the events queue left by seeding", () => drainEvents(server.mf));

  const groups = closedLoopGroups(seeded);
  await phase("warm up", async () => {
    // Every floor wallet gets its object and schema now, as the app's wallets got theirs while seeding.
    const wallets = Array.from({ length: config.spread_wallets }, (_, i) => `w${i}`);
    await eachLimited(["hot", ...wallets], 16, async (w) => {
      await floorApi.call("POST", `/hold?w=${w}`);
    });
    for (const group of groups.filter((g) => g.id.endsWith("@8"))) {
      for (const run of [group.floor, ...group.apps].filter(Boolean)) await measureRun(run, urls, config.warm_s);
    }
  });

  // ---- rounds: every group with its runs in rotating order, then the paced samples ---------------
  /** @type {Record<string, any>} */
  const runs = {};
  const transactions = {
    first: /** @type {number[]} */ ([]),
    deep: /** @type {number[]} */ ([]),
    after_idle: /** @type {number[]} */ ([]),
    statuses: /** @type {Record<string, number>} */ ({}),
    total: null,
    deep_page: 1,
  };
  const openRounds = [];
  /** @type {Record<number, { connections: number, rounds: any[], median?: any }>} */
  const payments = {};
  let lastTxBatch = -Infinity;
  let openRate = 0;
  const capacity = () => Math.max(...[1, 8, 32].map((c) => median(runs[`hot@${c}`]?.rounds.map((r) => r.rps) ?? []) ?? 0));

  for (let round = 0; round < config.rounds; round++) {
    await phase(`round ${round + 1}/${config.rounds}: closed loop`, async () => {
      for (const group of groups) {
        for (const run of rotate([group.floor, ...group.apps].filter(Boolean), round)) {
          const measured = await measureRun(run, urls, config.run_duration_s);
          runs[run.id] ??= { id: run.id, title: run.title, target: run.target, connections: run.connections, rounds: [] };
          runs[run.id].rounds[round] = measured;
        }
      }
    });

    await phase(`round ${round + 1}/${config.rounds}: transactions page`, async () => {
      const wait = lastTxBatch + RATE_WINDOW_MS - performance.now();
      if (wait > 0) {
        progress(`  waiting ${(wait / 1000).toFixed(0)} s for the transactions rate-limit window`);
        await new Promise((r) => setTimeout(r, wait));
      }
      lastTxBatch = performance.now();
      const batch = await sampleTransactions(api, seeded, config.tx_batch);
      transactions.first.push(...batch.first);
      transactions.deep.push(...batch.deep);
      if (batch.after_idle_ms != null) transactions.after_idle.push(batch.after_idle_ms);
      for (const [code, n] of Object.entries(batch.statuses)) transactions.statuses[code] = (transactions.statuses[code] ?? 0) + n;
      transactions.total ??= batch.total;
      transactions.deep_page = batch.deep_page;
    });

    await phase(`round ${round + 1}/${config.rounds}: payments (intent -> pay -> read -> capture)`, async () => {
      for (const c of CONCURRENCY) {
        const measured = await measurePaymentFlow(urls.appUrl, payer, c, config.run_duration_s);
        payments[c] ??= { connections: c, rounds: [] };
        payments[c].rounds[round] = measured;
      }
    });

    // One rate for every round (set from the first round's capacity), so the rounds are comparable.
    openRate ||= Math.max(10, Math.round(capacity() / 2));
    await phase(`round ${round + 1}/${config.rounds}: open loop at ${openRate} req/s`, async () => {
      const pair = {};
      for (const target of rotate(/** @type {const} */ (["app", "floor"]), round))
        pair[target] = await openLoopRun(urls, seeded, target, openRate, config.open_loop_s);
      openRounds.push(pair);
    });
  }

  for (const run of Object.values(runs)) {
    run.median = {
      rps: median(run.rounds.map((r) => r.rps)),
      p50_ms: median(run.rounds.map((r) => r.p50_ms)),
      p99_ms: median(run.rounds.map((r) => r.p99_ms)),
      p999_ms: median(run.rounds.map((r) => r.p999_ms)),
    };
  }
  results.runs = runs;
  // Ratios per round (app and floor measured back to back), then their median: drift between
  // rounds cancels out.
  results.comparisons = groups.flatMap((group) => {
    const reference = group.floor ?? group.apps[0];
    return group.apps
      .filter((app) => app !== reference)
      .map((app) => {
        const per_round = runs[app.id].rounds.map((r, i) => r.rps / runs[reference.id].rounds[i].rps);
        return {
          app: app.id,
          floor: reference.id,
          kind: group.floor ? "floor" : "reference",
          ratio: median(per_round),
          ratio_rounds: per_round,
        };
      });
  });

  for (const p of Object.values(payments)) {
    const floor = runs[`floor.hot@${p.connections}`];
    p.median = {
      flows_per_s: median(p.rounds.map((r) => r.flows_per_s)),
      rps: median(p.rounds.map((r) => r.rps)),
      p99_ms: median(p.rounds.map((r) => r.p99_ms)),
      capture_p50_ms: median(p.rounds.map((r) => r.capture_p50_ms)),
      capture_p99_ms: median(p.rounds.map((r) => r.capture_p99_ms)),
      // Requests per second against the bare object's hold + release at the same concurrency, per round.
      ratio_to_floor: floor ? median(p.rounds.map((r, i) => r.rps / floor.rounds[i].rps)) : null,
    };
  }
  results.payments = payments;

  const tx = summarize(transactions.first);
  results.transactions = {
    entries_total: transactions.total,
    samples: tx.count,
    p50_ms: tx.p50_ms,
    p99_ms: tx.p99_ms,
    max_ms: tx.max_ms,
    deep_page: transactions.deep_page,
    deep: summarize(transactions.deep),
    after_idle_ms: transactions.after_idle,
    statuses: transactions.statuses,
  };

  const pick = (target) => {
    const rs = openRounds.map((p) => p[target]);
    return {
      p50_ms: median(rs.map((r) => r.p50_ms)),
      p99_ms: median(rs.map((r) => r.p99_ms)),
      p999_ms: median(rs.map((r) => r.p999_ms)),
      max_ms: median(rs.map((r) => r.max_ms)),
      non_2xx: rs.reduce((n, r) => n + (r.count - r.ok) + r.errors, 0),
      max_send_lag_ms: Math.max(...rs.map((r) => r.max_send_lag_ms)),
    };
  };
  results.open_loop = {
    rate: openRate,
    capacity_rps: capacity(),
    duration_s: config.open_loop_s,
    rounds: openRounds,
    median: { app: pick("app"), floor: pick("floor") },
  };

  // ---- overload -----------------------------------------------------------------------------------
  const overloadRate = Math.round(2 * capacity());
  const overload = await phase(`overload: ${overloadRate} req/s for ${config.overload_s} s`, () =>
    overloadRun(urls, seeded, overloadRate, config.overload_s),
  );
  results.overload = { capacity_rps: capacity(), duration_s: config.overload_s, ...overload };

  // ---- did the money survive? -------------------------------------------------------------------
  await phase("audit", async () => {
    const audit = await api.call("GET", "/api/v1/ledger/audit?currency=IQD", undefined, { authorization: `Bearer ${seeded.secret_key}` });
    results.audit = {
      status: audit.status,
      balanced: audit.body?.data?.balanced ?? null,
      holds_consistent: audit.body?.data?.holds_consistent ?? null,
      ms: audit.ms,
    };
  });

  await api.close();
  await floorApi.close();
  results.worker_log = server.log.lines;
  results.worker_log_counts = server.log.counts;
  results.machine.loadavg_end = os.loadavg();
  results.finished_at = new Date().toISOString();
  results.wall_s = (performance.now() - t0) / 1000;
  results.goals = evaluateGoals(results);
  writeReport(results);
  console.log(consoleSummary(results));
  progress(`done in ${results.wall_s.toFixed(1)} s`);
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await cleanup();
}
// Pools and timers of the load generators must not keep the process alive.
process.exit(exitCode);
