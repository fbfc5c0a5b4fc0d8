// Builds the worker exactly as a deploy would (`wrangler deploy --dry-run`, offline) and measures
// what Cloudflare counts against the size limit: every uploaded module, gzipped.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

export const ROOT = path.resolve(import.meta.dirname, "..");
const WRANGLER = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
/** Running wrangler processes, so an interrupted run can stop them. */
export const children = new Set();
const QUIET_ENV = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };

/**
 * Runs wrangler with the Node that runs this script (Node 24 from node_modules: wrangler needs Node ≥ 22).
 * @param {string[]} args
 * @param {{ timeout_ms?: number }} [options]
 * @returns {Promise<{ code: number | null, output: string }>}
 */
export function wrangler(args, { timeout_ms = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: QUIET_ENV, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGTERM"), timeout_ms);
    child.on("error", reject);
    child.on("close", (code) => {
      children.delete(child);
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * @param {string} outdir
 * @returns {Promise<{ dir: string, build_ms: number, files: { name: string, bytes: number, gzip_bytes: number }[],
 *   script_bytes: number, script_gzip_bytes: number, total_bytes: number, total_gzip_bytes: number,
 *   wrangler_reported: string | null, wrangler_startup_ms: number | null }>}
 */
export async function buildBundle(outdir) {
  const started = performance.now();
  const { code, output } = await wrangler(["deploy", "--dry-run", "--outdir", outdir]);
  const build_ms = performance.now() - started;
  if (code !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${code}):\n${output}`);
  // Source maps and wrangler's README are not uploaded as modules.
  const files = readdirSync(outdir)
    .filter((name) => !name.endsWith(".map") && name !== "README.md" && statSync(path.join(outdir, name)).isFile())
    .map((name) => {
      const bytes = readFileSync(path.join(outdir, name));
      return { name, bytes: bytes.length, gzip_bytes: gzipSync(bytes).length };
    });
  const script = files.find((f) => f.name === "index.js");
  if (!script) throw new Error(`no index.js in ${outdir}`);
  return {
    dir: outdir,
    build_ms,
    files,
    script_bytes: script.bytes,
    script_gzip_bytes: script.gzip_bytes,
    total_bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    total_gzip_bytes: files.reduce((sum, f) => sum + f.gzip_bytes, 0),
    wrangler_reported: output.match(/Total Upload: [^\n]*/)?.[0] ?? null,
    // A real deploy prints "Worker Startup Time"; a dry run does not (kept in case a version does).
    wrangler_startup_ms: Number(output.match(/Startup Time:\s*([\d.]+)\s*ms/i)?.[1]) || null,
  };
}

/**
 * `wrangler check startup` profiles the Worker's startup phase locally (offline): the CPU time of
 * evaluating the script and its top-level code, the figure Cloudflare limits at deploy. It rebuilds
 * the worker itself, so it costs a few seconds; the profile goes to a temp file.
 * @param {string} profile_path
 * @returns {Promise<{ active_ms: number | null, window_ms: number | null, output: string }>}
 */
export async function profileStartup(profile_path) {
  const { code, output } = await wrangler(["check", "startup", "--outfile", profile_path], { timeout_ms: 60_000 });
  if (code !== 0) return { active_ms: null, window_ms: null, output };
  return {
    active_ms: Number(output.match(/Active:\s*([\d.]+)\s*ms/)?.[1]) || null,
    window_ms: Number(output.match(/Profile window:\s*([\d.]+)\s*ms/)?.[1]) || null,
    output,
  };
}
