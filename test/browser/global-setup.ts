import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

/**
 * The browser tests' worker: `wrangler dev` on a free port with its state in a fresh temporary
 * directory (D1 migrated first), its output captured to a file for the card-data scan. The URL and
 * the paths are handed to the tests with `provide`; the process group is ended afterwards.
 */

declare module "vitest" {
  export interface ProvidedContext {
    workerUrl: string;
    /** wrangler dev's --persist-to: every D1 database and Durable Object's SQLite file lives below it. */
    persistDir: string;
    /** wrangler dev's stdout and stderr, and wrangler's own log files. */
    logFiles: string[];
    logDir: string;
  }
}

const root = path.resolve(import.meta.dirname, "../..");
const wranglerBin = path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");
// The repo's Node 24 (the `node` devDependency), whatever Node started vitest: wrangler needs >= 22.12.
const repoNode = path.join(root, "node_modules", ".bin", "node");
const node = existsSync(repoNode) ? repoNode : process.execPath;

// Test-only secrets, as test/vitest.config.ts has them for the workers tests.
const SECRETS = {
  JWT_SECRET: "browser-test-jwt-secret-0123456789abcdef0123456789",
  DATA_ENCRYPTION_KEY: "YnJvd3Nlci10ZXN0LWVuY3J5cHRpb24ta2V5LTMyYnk=",
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (address && typeof address === "object" ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForHealth(base: string, child: ChildProcess, timeout_ms = 90_000): Promise<void> {
  const deadline = Date.now() + timeout_ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode} before answering`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`wrangler dev did not answer ${base}/health within ${timeout_ms / 1000} s`);
}

export default async function setup(project: TestProject) {
  const work = mkdtempSync(path.join(tmpdir(), "mazad-browser-"));
  const persistDir = path.join(work, "state");
  const logDir = path.join(work, "wrangler-logs");
  const devLog = path.join(work, "wrangler-dev.log");
  mkdirSync(logDir);
  const env = {
    ...process.env,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_LOG_PATH: logDir,
    CI: "true",
    NO_COLOR: "1",
  };

  const migrated = spawnSync(node, [wranglerBin, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir], {
    cwd: root,
    env,
    encoding: "utf8",
  });
  if (migrated.status !== 0) throw new Error(`D1 migrations failed:\n${migrated.stdout}\n${migrated.stderr}`);

  const port = await freePort();
  const inspectorPort = await freePort();
  const vars = Object.entries(SECRETS).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  const args = [
    wranglerBin,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persistDir,
    "--show-interactive-dev-session=false",
    "--log-level",
    "info",
    ...vars,
  ];
  const log = createWriteStream(devLog);
  // Its own process group, so the teardown ends wrangler and workerd together.
  const child = spawn(node, args, { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);

  const workerUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(workerUrl, child);
  } catch (error) {
    await stop(child);
    throw error;
  }
  project.provide("workerUrl", workerUrl);
  project.provide("persistDir", persistDir);
  project.provide("logFiles", [devLog]);
  project.provide("logDir", logDir);

  return async () => {
    await stop(child);
    log.end();
    if (process.env.KEEP_BROWSER_STATE) console.log(`Browser test state and logs kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      signal("SIGKILL");
      resolve();
    }, 10_000);
  });
  await Promise.race([exited, forced]);
  clearTimeout(timer);
  // workerd is in the same group; make sure nothing of it outlives the run.
  signal("SIGKILL");
}
