import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Workers tests: they run inside workerd against real D1, Durable Objects and queues.
const root = path.resolve(import.meta.dirname, "..");

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // The wallet property test's size and seed (npm run test:property runs 10,000).
            PROPERTY_RUNS: process.env.PROPERTY_RUNS ?? "200",
            PROPERTY_SEED: process.env.PROPERTY_SEED ?? "",
            // Test-only secrets: the real ones come from `.dev.vars` locally and `wrangler secret put` in production.
            JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789abcdef",
            DATA_ENCRYPTION_KEY: "dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGU=",
          },
        },
      }),
    ],
    test: {
      root,
      include: ["test/workers/**/*.test.ts"],
      setupFiles: ["test/workers/setup.ts"],
      // Whole flows through workerd (fifty requests racing one object, each awaiting a wallet) run
      // past vitest's 5 s default on a loaded two-core machine. Speed is the benchmarks' business.
      testTimeout: 20_000,
      // A real HTTP server standing in for merchants' webhook receivers.
      globalSetup: ["test/workers/receiver.ts"],
    },
  };
});
