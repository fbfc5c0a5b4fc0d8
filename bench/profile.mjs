#!/usr/bin/env node
// `npm run bench:profile [-- --seconds S --connections C]`: a CPU profile of the app's isolate
// while it serves the hot wallet's hold + release, taken over the DevTools protocol (a separate
// run from `npm run bench`: an attached profiler slows what it measures). Writes
// bench/results/hold.cpuprofile (open it in Chrome DevTools' Performance panel) and
// bench/results/profile.md: where the isolate's time went, by function and by package.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildBundle } from "./bundle.mjs";
import { RESULTS_DIR } from "./report.mjs";
import { appHoldRelease, measureRun } from "./scenarios.mjs";
import { apiClient, seedMerchant, seedUsers } from "./seed.mjs";
import { disposeAll, prepareStorage, startServer } from "./server.mjs";

const { values: flags } = parseArgs({
  options: { seconds: { type: "string", default: "5" }, connections: { type: "string", default: "8" } },
});
const INSPECTOR_PORT = 9329;
const tmp = mkdtempSync(path.join(os.tmpdir(), "mazad-profile-"));

/** A minimal DevTools protocol client over the WebSocket Node provides. @param {string} url */
async function devtools(url) {
  // Miniflare's inspector proxy accepts only local origins; Node's WebSocket (undici) takes headers.
  const ws = new WebSocket(url, /** @type {any} */ ({ headers: { origin: "http://localhost" } }));
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", reject, { once: true });
  });
  let next = 1;
  /** @type {Map<number, (value: any) => void>} */
  const waiting = new Map();
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data));
    if (message.id && waiting.has(message.id)) {
      waiting.get(message.id)?.(message.result ?? message.error);
      waiting.delete(message.id);
    }
  });
  /** @param {string} method @param {object} [params] */
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/** Self time by function and by where its code came from (our src/, or a package). @param {any} profile */
function summarizeProfile(profile) {
  const dt = new Map();
  for (let i = 0; i < profile.samples.length; i++)
    dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...dt.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map();
  const byOrigin = new Map();
  for (const node of profile.nodes) {
    const us = dt.get(node.id) ?? 0;
    if (!us) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || "(anonymous)"} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ""}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const origin =
      functionName === "(idle)" || functionName === "(program)" || functionName === "(garbage collector)"
        ? functionName
        : url
          ? path.basename(url)
          : "(native)";
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us);
  }
  // Inclusive time: a sample counts for every distinct function on its stack.
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const inclusive = new Map();
  for (const node of profile.nodes) {
    const us = dt.get(node.id) ?? 0;
    if (!us) continue;
    const seen = new Set();
    for (let at = node; at; at = parent.get(at.id)) {
      const { functionName, url, lineNumber } = at.callFrame;
      if (!url) continue;
      const key = `${functionName || "(anonymous)"} ${path.basename(url)}:${lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const top = (m, n) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `| ${k.replace(/\|/g, "\\|")} | ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)} % |`);
  return { total_ms: total / 1000, functions: top(byFunction, 30), origins: top(byOrigin, 10), inclusive: top(inclusive, 40) };
}

const progress = (message) => console.error(`[profile] ${message}`);

async function main() {
  progress("build");
  const bundle = await buildBundle(path.join(tmp, "dist"));
  const server = await startServer({
    bundleDir: bundle.dir,
    persistDir: path.join(tmp, "state"),
    withFloor: false,
    inspectorPort: INSPECTOR_PORT,
  });
  await prepareStorage(server.mf).catch(() => undefined);
  progress(`serving on ${server.appUrl}; seeding`);
  const api = apiClient(server.appUrl);
  const { secret_key } = await seedMerchant(api, "profile");
  await seedUsers(api, secret_key, ["profile_hot"], 1e12);
  const run = {
    id: "hot",
    title: "hot wallet hold + release",
    target: /** @type {const} */ ("app"),
    connections: Number(flags.connections),
    requests: () => appHoldRelease({ secret_key, users: ["profile_hot"], keyed: false }),
  };
  await measureRun(run, { appUrl: server.appUrl, floorUrl: "" }, 2); // warm

  progress("attaching the profiler");
  const targets = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl?.endsWith("mazad-wallet")) ?? targets[0];
  const cdp = await devtools(target.webSocketDebuggerUrl);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  progress(`profiling ${flags.seconds} s of load`);
  const measured = await measureRun(run, { appUrl: server.appUrl, floorUrl: "" }, Number(flags.seconds));
  const { profile } = await cdp.send("Profiler.stop");
  cdp.close();
  await api.close();

  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, "hold.cpuprofile"), JSON.stringify(profile));
  const s = summarizeProfile(profile);
  const md = [
    `# CPU profile: hot wallet hold + release, c = ${flags.connections}, ${flags.seconds} s (profiler attached)`,
    `${new Date().toISOString()} · ${measured.rps.toFixed(0)} req/s while profiled · ${s.total_ms.toFixed(0)} ms sampled in the app's ` +
      `isolate (locally it runs the worker and its Durable Objects' JavaScript; SQLite and the runtime's I/O show as native time). Open ` +
      `\`hold.cpuprofile\` in Chrome DevTools for the call tree.`,
    "## Self time by origin",
    "| origin | ms | share |\n| --- | --- | --- |\n" + s.origins.join("\n"),
    "## Inclusive time by function (top 40; names are the bundle's, lines in its index.js)",
    "| function | ms | share |\n| --- | --- | --- |\n" + s.inclusive.join("\n"),
    "## Self time by function (top 30)",
    "| function | ms | share |\n| --- | --- | --- |\n" + s.functions.join("\n"),
  ].join("\n\n");
  writeFileSync(path.join(RESULTS_DIR, "profile.md"), md + "\n");
  console.log(md);
}

try {
  await main();
} finally {
  await disposeAll();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
