// The runtime under test: the deploy bundle served by Miniflare (one workerd process) on a persist
// directory that outlives it, so the process can be SIGKILLed and a new one started on the same
// data, as a machine losing power would.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { buildBundle } from "../../bench/bundle.mjs";
import { prepareStorage, startServer } from "../../bench/server.mjs";

export const RETRY_SCALE = 0.0002;

/** The workerd processes this Node process started (Miniflare spawns them as direct children). */
function workerdChildren() {
  const out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" });
  return out
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, comm]) => pid && comm?.startsWith("workerd"))
    .map(([pid]) => Number(pid));
}

/**
 * @param {{ dir: string }} options a scratch directory: the bundle and the persisted state go in it
 */
export async function persistentRuntime({ dir }) {
  const bundle = await buildBundle(`${dir}/dist`);
  const persistDir = `${dir}/state`;
  const logFile = `${dir}/worker.log`;
  // 28 hours of webhook retries in about 20 seconds (the webhooks part). The secrets are the
  // deployment's, so they survive a restart as they survive a power loss: fresh ones on each start
  // would leave every webhook secret and signing key sealed before a kill unreadable after it (and
  // each delivery to an older endpoint failing for good), and every dashboard token invalid.
  const vars = {
    WEBHOOK_RETRY_SCALE: String(RETRY_SCALE),
    JWT_SECRET: randomBytes(32).toString("hex"),
    DATA_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
  /** @type {Awaited<ReturnType<typeof startServer>> | null} */
  let server = await startServer({ bundleDir: bundle.dir, persistDir, withFloor: false, logFile, vars });
  await prepareStorage(server.mf, { withFloor: false });
  let restarts = 0;
  /** When each SIGKILL landed (epoch ms): what a queue held in memory then was lost with it. */
  const killed_at_ms = [];

  return {
    persistDir,
    logFile,
    get url() {
      if (!server) throw new Error("the runtime is down");
      return server.appUrl;
    },
    /** SIGKILL: no graceful shutdown, no flush; whatever was in flight is lost or half done. */
    kill() {
      const pids = workerdChildren();
      if (pids.length === 0) throw new Error("no workerd process to kill");
      for (const pid of pids) process.kill(pid, "SIGKILL");
      killed_at_ms.push(Date.now());
      return pids.length;
    },
    /** A new workerd on the same data (the old Miniflare is dropped: its process is gone). */
    async restart() {
      const old = server;
      server = null;
      await old?.dispose().catch(() => {});
      server = await startServer({ bundleDir: bundle.dir, persistDir, withFloor: false, logFile, vars });
      restarts++;
    },
    get restarts() {
      return restarts;
    },
    killed_at_ms,
    async stop() {
      await server?.dispose().catch(() => {});
      server = null;
    },
  };
}
