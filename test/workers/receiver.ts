import { createServer, type IncomingMessage, type Server } from "node:http";
import type { TestProject } from "vitest/node";

/**
 * A merchant's webhook receiver, for the workers tests: a real HTTP server on loopback, outside
 * workerd, the only "outside world" the tests fake. Each path is its own receiver:
 *   POST /hooks/<name>            records the delivery and answers by the name's rule:
 *     fail-<n>-…  the first n requests get 500, later ones 200;  always-fail-…  500;  gone-…  410;
 *     anything else 200.
 *   GET /log/<name>               the deliveries recorded for that name, as JSON.
 */
interface Delivery {
  headers: Record<string, string>;
  body: string;
  received_at_ms: number;
}

const logs = new Map<string, Delivery[]>();

function answer(name: string, seen: number): number {
  const fail = /^fail-(\d+)-/.exec(name);
  if (fail) return seen <= Number(fail[1]) ? 500 : 200;
  if (name.startsWith("always-fail-")) return 500;
  if (name.startsWith("gone-")) return 410;
  return 200;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

let server: Server | undefined;

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  server = createServer(async (req, res) => {
    const [, kind, name = ""] = (req.url ?? "").split("/");
    if (req.method === "POST" && kind === "hooks") {
      const log = logs.get(name) ?? [];
      log.push({
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: await readBody(req),
        received_at_ms: Date.now(),
      });
      logs.set(name, log);
      const status = answer(name, log.length);
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : `no (${status})`);
      return;
    }
    if (req.method === "GET" && kind === "log") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(logs.get(name) ?? []));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("receiver did not start");
  project.provide("receiverUrl", `http://127.0.0.1:${address.port}`);
  return async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    receiverUrl: string;
  }
}
