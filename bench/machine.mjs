// What the figures were measured on: CPU, versions, commit, and how busy the machine was.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./bundle.mjs";

/** @param {string} name */
function version(name) {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return "unknown";
  }
}

/** @param {string[]} args */
function git(args) {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

export function describeMachine() {
  const cpus = os.cpus();
  return {
    cpu_model: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    workerd: version("workerd"),
    wrangler: version("wrangler"),
    miniflare: version("miniflare"),
    autocannon: version("autocannon"),
    undici: version("undici"),
    commit: git(["rev-parse", "HEAD"]) || "unknown",
    // Benchmarks of a tree with local changes are not the commit's: say so.
    dirty: git(["status", "--porcelain"]) !== "",
    loadavg_start: os.loadavg(),
    loadavg_end: /** @type {number[]} */ ([]),
  };
}
