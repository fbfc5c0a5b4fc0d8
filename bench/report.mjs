// Turns the results into bench/results/latest.{json,md,svg}: the figures with the machine they
// came from, the goals with PASS/FAIL, and a chart of each scenario against its floor.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export const RESULTS_DIR = path.join(import.meta.dirname, "results");

// ---- formatting -----------------------------------------------------------------------------------

/** @param {number | null | undefined} n */
const rps = (n) => (n == null ? "–" : Math.round(n).toLocaleString("en"));
/** @param {number | null | undefined} n */
const ms = (n) => (n == null ? "–" : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n).toLocaleString("en"));
/** @param {number | null | undefined} n */
const ratio = (n) => (n == null ? "–" : n.toFixed(2));
/** @param {number} n */
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
/** @param {number} n */
const pct = (n) => `${(n * 100).toFixed(1)} %`;

/** @param {string[]} header @param {(string | number)[][]} rows */
function table(header, rows) {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

// ---- goals ----------------------------------------------------------------------------------------

/** @param {any} r the results */
export function evaluateGoals(r) {
  const cmp = (id) => r.comparisons.find((c) => c.app === id);
  const hot = cmp("hot@8");
  const keyed = cmp("hot.keyed@8");
  const history = cmp("history.full@8");
  const entries = r.transactions?.entries_total;
  /** @type {{ id: string, goal: string, measured: string, value: number | null, pass: boolean | null }[]} */
  const goals = [
    {
      id: "hot_hold_vs_floor",
      goal: "hot wallet hold + release, c = 8, no Idempotency-Key: ≥ 0.8 × bare-object floor",
      value: hot?.ratio ?? null,
      measured: `${ratio(hot?.ratio)} ×`,
      pass: hot ? hot.ratio >= 0.8 : null,
    },
    {
      id: "hot_hold_keyed_vs_floor",
      goal: "the same with an Idempotency-Key on every request: ≥ 0.7 × floor",
      value: keyed?.ratio ?? null,
      measured: `${ratio(keyed?.ratio)} ×`,
      pass: keyed ? keyed.ratio >= 0.7 : null,
    },
    {
      id: "history_page_p99",
      goal:
        `transactions page p99 ≤ 10 ms on ` +
        `100,000 entries${entries != null && entries < 100_000 ? ` (this run: ${entries.toLocaleString("en")} entries)` : ""}`,
      value: r.transactions?.p99_ms ?? null,
      measured: `${ms(r.transactions?.p99_ms)} ms`,
      pass: r.transactions?.p99_ms != null ? r.transactions.p99_ms <= 10 : null,
    },
    {
      id: "overload_no_5xx",
      goal: "0 × 5xx (and no dropped connection) at 2 × measured capacity",
      value: r.overload ? r.overload.status_5xx + r.overload.errors : null,
      measured: r.overload ? `${r.overload.status_5xx} × 5xx, ${r.overload.errors} errors` : "–",
      pass: r.overload ? r.overload.status_5xx === 0 && r.overload.errors === 0 : null,
    },
    {
      id: "bundle_gzip",
      // Every module wrangler uploads counts against the Worker size limit, not only index.js.
      goal: "bundle ≤ 400 KiB gzipped (every uploaded module)",
      value: r.bundle?.total_gzip_bytes ?? null,
      measured: r.bundle ? `${kib(r.bundle.total_gzip_bytes)} (index.js alone ${kib(r.bundle.script_gzip_bytes)})` : "–",
      pass: r.bundle ? r.bundle.total_gzip_bytes <= 400 * 1024 : null,
    },
    {
      id: "fan_out_complete",
      goal: "every committed event reaches the local receiver, correctly signed",
      value: r.fan_out ? r.fan_out.delivered : null,
      measured: r.fan_out
        ? `${r.fan_out.delivered} of ${r.fan_out.events}, ${r.fan_out.invalid_signatures} bad signatures, ` +
          `${rps(r.fan_out.events_per_s)} events/s`
        : "–",
      pass: r.fan_out ? r.fan_out.delivered === r.fan_out.events && r.fan_out.invalid_signatures === 0 : null,
    },
    // From the scenario list rather than the goals: cost must not grow with a wallet's history.
    {
      id: "history_independent",
      goal: "hold throughput on a wallet full of holds ≈ the empty wallet's (≥ 0.9 ×)",
      value: history?.ratio ?? null,
      measured: `${ratio(history?.ratio)} ×`,
      pass: history ? history.ratio >= 0.9 : null,
    },
  ];
  return goals;
}

// ---- markdown -------------------------------------------------------------------------------------

/** @param {any} r */
function closedLoopTable(r) {
  const rows = [];
  const seen = new Set();
  for (const c of r.comparisons) {
    const app = r.runs[c.app];
    const floor = r.runs[c.floor];
    seen.add(c.app).add(c.floor);
    rows.push([
      app.title,
      app.connections,
      rps(app.median.rps),
      ms(app.median.p50_ms),
      ms(app.median.p99_ms),
      floor.title,
      rps(floor.median.rps),
      ms(floor.median.p99_ms),
      `**${ratio(c.ratio)}**`,
    ]);
  }
  for (const run of Object.values(r.runs)) {
    if (seen.has(run.id)) continue;
    rows.push([run.title, run.connections, rps(run.median.rps), ms(run.median.p50_ms), ms(run.median.p99_ms), "", "", "", ""]);
  }
  return table(["scenario", "c", "req/s", "p50 ms", "p99 ms", "against", "its req/s", "its p99 ms", "ratio"], rows);
}

/** @param {any} r */
function goalsTable(r) {
  return table(
    ["goal", "measured", "result"],
    r.goals.map((g) => [g.goal, g.measured, g.pass == null ? "n/a" : g.pass ? "PASS" : "**FAIL**"]),
  );
}

/** @param {any} r */
function nonOkNote(r) {
  const notes = [];
  for (const run of Object.values(r.runs)) {
    const bad = run.rounds.flatMap((x) =>
      Object.entries(x.statuses)
        .filter(([code]) => !code.startsWith("2"))
        .map(([code, n]) => `${n} × ${code}`),
    );
    const errors = run.rounds.reduce((n, x) => n + x.errors + x.timeouts, 0);
    if (bad.length || errors)
      notes.push(`- ${run.id}: ${[...bad, ...(errors ? [`${errors} connection errors/timeouts`] : [])].join(", ")}`);
  }
  return notes.length ? `Answers other than 2xx during closed-loop runs:\n\n${notes.join("\n")}` : "Every closed-loop answer was 2xx.";
}

/** @param {any} r */
function paymentsTable(r) {
  return table(
    ["c", "flows/s", "req/s", "capture p50 ms", "capture p99 ms", "p99 ms (all 4 calls)", "req/s ÷ floor hold + release"],
    Object.values(r.payments ?? {}).map((p) => [
      p.connections,
      rps(p.median.flows_per_s),
      rps(p.median.rps),
      ms(p.median.capture_p50_ms),
      ms(p.median.capture_p99_ms),
      ms(p.median.p99_ms),
      ratio(p.median.ratio_to_floor),
    ]),
  );
}

/** @param {any} r */
function paymentsSection(r) {
  if (!r.payments || Object.keys(r.payments).length === 0) return "not measured";
  const failures = Object.values(r.payments).flatMap((p) =>
    p.rounds.flatMap((x) => Object.entries(x.failures).map(([k, n]) => `${n} × ${k}`)),
  );
  return [
    "A card payment the way a merchant integrates it, one flow per connection: `POST /payment-intents`, " +
      "the buyer's `POST /checkout/{id}/pay` with the approving test card, `GET /payment-intents/{id}` for its `payment_id`, " +
      "`POST /payments/{id}/capture` (the capture credits the merchant's settlement wallet and the platform's commission wallet " +
      "through their outboxes). A flow is four requests; the ratio compares requests per second with the bare object's " +
      "hold + release at the same concurrency.",
    paymentsTable(r),
    failures.length ? `Steps that did not succeed: ${failures.join(", ")}.` : "Every step of every flow succeeded.",
  ].join("\n\n");
}

/** @param {any} r */
function fanOutSection(r) {
  const f = r.fan_out;
  if (!f) return "not measured";
  return (
    `${f.events.toLocaleString("en")} holds on one wallet at c = 8 (${rps(f.commit_rps)} req/s), ` +
    `each committing \`hold.created\` in the wallet's outbox; one endpoint subscribed to it, ` +
    `a Node receiver on 127.0.0.1 verifying every delivery with \`standardwebhooks\`. ` +
    `**${rps(f.events_per_s)} events/s** from the first commit to the last arrival; ` +
    `${f.delivered.toLocaleString("en")} of ${f.events.toLocaleString("en")} events arrived ` +
    `(${f.deliveries.toLocaleString("en")} deliveries, ${f.invalid_signatures} with a bad signature)` +
    `${f.timed_out ? ", **some never arrived within the timeout**" : ""}. ` +
    `Commit (the hold's 201) to first verified arrival: p50 ${ms(f.commit_to_delivery_p50_ms)} ms, ` +
    `p99 ${ms(f.commit_to_delivery_p99_ms)} ms, max ${ms(f.commit_to_delivery_max_ms)} ms. ` +
    `Measured on an idle system before the other scenarios, ` +
    `with Miniflare's local queue (batches of up to 100, 1 s batch timeout, as in wrangler.toml).`
  );
}

/** @param {any} r */
export function markdown(r) {
  const m = r.machine;
  const t = r.transactions;
  const o = r.open_loop;
  const v = r.overload;
  const s = r.startup;
  const sections = [
    `# Mazad Wallet benchmark${r.mode === "quick" ? " (--quick: short runs, fewer wallets and holds; not for comparison)" : ""}`,
    `${m.cpu_model}, ${m.cores} cores, ${m.os} · Node ${m.node} · workerd ${m.workerd} · wrangler ${m.wrangler} · ` +
      `miniflare ${m.miniflare} · autocannon ${m.autocannon} · ` +
      `commit \`${m.commit.slice(0, 12)}\`${m.dirty ? " (with uncommitted changes)" : ""} · ${r.started_at} · ` +
      `load average ${m.loadavg_start.map((x) => x.toFixed(2)).join(" ")} at start, ` +
      `${m.loadavg_end.map((x) => x.toFixed(2)).join(" ")} at end`,
    `Served with the Miniflare API from the \`wrangler deploy --dry-run\` bundle, ` +
      `app and floor worker in one workerd process on their own loopback ports, state persisted in a temp directory. ` +
      `Closed loop with autocannon; ${r.config.rounds} round(s) of ${r.config.run_duration_s} s per run, app and floor alternating, ` +
      `medians; the ratio is the median of per-round ratios of 2xx throughput. Every HTTP request counts (a hold + release is two).`,
    "## Goals",
    goalsTable(r),
    "## Closed loop",
    closedLoopTable(r),
    nonOkNote(r),
    "![throughput and p99 per scenario against its floor](latest.svg)",
    "## Payments",
    paymentsSection(r),
    "## Webhook fan-out",
    fanOutSection(r),
    "## Transactions page",
    t
      ? `${t.samples} sequential requests on a wallet of ${t.entries_total?.toLocaleString("en") ?? "?"} entries, ` +
        `first pages with each filter combination: p50 ${ms(t.p50_ms)} ms, p99 ${ms(t.p99_ms)} ms, max ${ms(t.max_ms)} ms. ` +
        `A page from the middle of the history ` +
        `(page ${t.deep_page}, 100 per page: OFFSET ≈ ${Math.max(0, ((t.deep_page ?? 1) - 1) * 100).toLocaleString("en")}), ` +
        `${t.deep.count} samples: p50 ${ms(t.deep.p50_ms)} ms, max ${ms(t.deep.max_ms)} ms. ` +
        `The first request of each batch, after the minute's pause, wakes the wallet's object and is counted apart: ` +
        `${(t.after_idle_ms ?? []).map((x) => `${ms(x)} ms`).join(", ") || "–"}. Statuses: ${JSON.stringify(t.statuses)}. ` +
        `(60 requests/min per merchant: batches of 51, one per round, a minute apart.)`
      : "not measured",
    "## Open loop",
    o
      ? `${rps(o.rate)} req/s (half the hot wallet's measured capacity of ${rps(o.capacity_rps)} req/s), ` +
        `hold/release alternating on one wallet, latency from the scheduled send time; ` +
        `medians of ${o.rounds.length} round(s) of ${o.duration_s} s.\n\n` +
        table(
          ["target", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "non-2xx", "max send lag ms"],
          ["app", "floor"].map((k) => [
            k,
            ms(o.median[k].p50_ms),
            ms(o.median[k].p99_ms),
            ms(o.median[k].p999_ms),
            ms(o.median[k].max_ms),
            o.median[k].non_2xx,
            ms(o.median[k].max_send_lag_ms),
          ]),
        )
      : "not measured",
    "## Overload",
    v
      ? `Open loop at ${rps(v.target_rate)} req/s (2 × ${rps(v.capacity_rps)}) for ${v.duration_s} s on the hot wallet: ` +
        `${v.sent.toLocaleString("en")} sent, ${v.ok.toLocaleString("en")} 2xx (${rps(v.ok_rps)} req/s, p99 ${ms(v.ok_p99_ms)} ms), ` +
        `${v.status_429_503.toLocaleString("en")} × 429/503 (${pct(v.status_429_503 / v.sent)} of requests; ` +
        `${v.status_429_503 ? pct(v.with_retry_after / v.status_429_503) : "–"} of them with Retry-After), ` +
        `**${v.status_5xx} × 5xx**, ${v.errors} connection errors. Statuses: ${JSON.stringify(v.statuses)}. ` +
        `p99 of every answer from its scheduled time: ${ms(v.p99_ms)} ms.`
      : "not measured",
    "## Bundle and start",
    r.bundle
      ? `${r.bundle.files.map((f) => `\`${f.name}\` ${kib(f.bytes)} (gzip ${kib(f.gzip_bytes)})`).join(", ")}. ` +
        `Total ${kib(r.bundle.total_bytes)}, **gzip ${kib(r.bundle.total_gzip_bytes)}** (wrangler: ` +
        `"${r.bundle.wrangler_reported ?? "?"}"). Built in ${ms(r.bundle.build_ms)} ms.`
      : "not measured",
    s
      ? `Start: a fresh Miniflare from construction to the first 200 from /health: ${ms(s.first_health_ms)} ms ` +
        `(median of ${s.samples.length}; listening after ${ms(s.listening_ms)} ms). ` +
        (s.wrangler_check_startup?.active_ms != null
          ? `\`wrangler check startup\` (local CPU profile of the startup phase): ${ms(s.wrangler_check_startup.active_ms)} ms active. `
          : "`wrangler check startup`: not run (--quick) or failed. ") +
        "The dry run prints no startup time (only a real deploy does)."
      : "",
    "## Integrity after the run",
    r.audit
      ? `GET /ledger/audit?currency=IQD: ${r.audit.status}, balanced ${r.audit.balanced}, holds_consistent ${r.audit.holds_consistent} ` +
        `(${ms(r.audit.ms)} ms).`
      : "not checked",
    r.worker_log?.length
      ? `The workers and Miniflare logged ${JSON.stringify(r.worker_log_counts)} line(s) by level; the first warning or error: ` +
        `\`${r.worker_log[0].split("\n")[0].slice(0, 200)}\` (all in latest.json).`
      : `The workers and Miniflare logged no warning or error (${JSON.stringify(r.worker_log_counts ?? {})} by level).`,
    "## Seeding",
    r.seeding
      ? `${r.seeding.users} users synced and topped up in ${ms(r.seeding.users_s)} s, while ${r.seeding.holds.toLocaleString("en")} ` +
        `holds went onto one wallet in ${ms(r.seeding.holds_s)} s (${rps(r.seeding.holds_rps)} holds/s at c = 32, ` +
        `p99 ${ms(r.seeding.holds_p99_ms)} ms; side by side, so not a measurement).` +
        (r.seeding.events_drain
          ? ` Their events were still reaching the events index: ` +
            `${r.seeding.events_drain.events_recorded.toLocaleString("en")} more were recorded ` +
            `in ${ms(r.seeding.events_drain.seconds)} s ` +
            `(${rps(r.seeding.events_drain.events_per_s)} events/s through queue and consumer) before measuring began.`
          : "")
      : "",
  ];
  return sections.filter(Boolean).join("\n\n") + "\n";
}

// ---- chart ----------------------------------------------------------------------------------------

/** @param {string} s */
const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Two panels of horizontal bars, one row per app scenario: throughput on the left, p99 on the right;
 * the app's bar dark, its floor's light underneath.
 * @param {any} r
 */
export function svgChart(r) {
  // The money-moving scenarios only: a trivial route's thousands of req/s would flatten every other bar.
  const rows = r.comparisons
    .filter((c) => !c.app.startsWith("health"))
    .map((c) => ({
      label: c.kind === "reference" ? `${c.app} (light: ${c.floor})` : c.app,
      app: r.runs[c.app].median,
      floor: r.runs[c.floor].median,
    }));
  const labelW = 250;
  const panelW = 330;
  const gap = 40;
  const rowH = 30;
  const top = 48;
  const width = labelW + 2 * panelW + gap + 20;
  const height = top + rows.length * rowH + 40;
  const maxRps = Math.max(1, ...rows.flatMap((x) => [x.app.rps, x.floor.rps]));
  const maxP99 = Math.max(1, ...rows.flatMap((x) => [x.app.p99_ms ?? 0, x.floor.p99_ms ?? 0]));
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${labelW}" y="18" font-size="13" font-weight="bold">throughput, req/s (higher is better)</text>`,
    `<text x="${labelW + panelW + gap}" y="18" font-size="13" font-weight="bold">p99 latency, ms (lower is better)</text>`,
    `<rect x="${labelW}" y="26" width="10" height="10" fill="#1f4e79"/><text x="${labelW + 14}" y="35">app</text>`,
    `<rect x="${labelW + 50}" y="26" width="10" height="10" fill="#9dc3e6"/><text x="${labelW + 64}" y="35">floor</text>`,
  ];
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(row.label)}</text>`);
    for (const [panel, key, max, fmt] of /** @type {const} */ ([
      [0, "rps", maxRps, rps],
      [1, "p99_ms", maxP99, ms],
    ])) {
      const x0 = labelW + panel * (panelW + gap);
      for (const [j, value, color] of /** @type {const} */ ([
        [0, row.app[key], "#1f4e79"],
        [1, row.floor[key], "#9dc3e6"],
      ])) {
        const w = Math.max(1, ((value ?? 0) / max) * (panelW - 60));
        const by = y + 2 + j * 12;
        out.push(`<rect x="${x0}" y="${by}" width="${w.toFixed(1)}" height="11" fill="${color}"/>`);
        out.push(`<text x="${(x0 + w + 4).toFixed(1)}" y="${by + 9}" fill="#333">${fmt(value)}</text>`);
      }
    }
  });
  out.push(
    `<text x="10" y="${height - 12}" fill="#666">${esc(
      `Mazad Wallet bench, ${r.mode}, ${r.machine.cpu_model} × ${r.machine.cores}, ` +
        `commit ${r.machine.commit.slice(0, 12)}, ${r.started_at}`,
    )}</text>`,
  );
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** @param {any} results */
export function writeReport(results) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const md = markdown(results);
  writeFileSync(path.join(RESULTS_DIR, "latest.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(path.join(RESULTS_DIR, "latest.md"), md);
  writeFileSync(path.join(RESULTS_DIR, "latest.svg"), svgChart(results));
  return md;
}

/** The terminal summary: goals and the closed-loop table. */
export function consoleSummary(results) {
  return [
    "",
    "Goals",
    goalsTable(results),
    "",
    "Closed loop (median of rounds)",
    closedLoopTable(results),
    "",
    "Payments (median of rounds)",
    paymentsTable(results),
    "",
    `Full report: ${path.relative(process.cwd(), path.join(RESULTS_DIR, "latest.md"))}`,
  ].join("\n");
}
