import path from "node:path";
import { defineConfig } from "vitest/config";

// Browser tests: Node drives Debian's Chromium (playwright-core) against `wrangler dev`, which the
// global setup starts on a free port with fresh state. Run after the workers tests (`npm test`).
const root = path.resolve(import.meta.dirname, "../..");

export default defineConfig({
  test: {
    root,
    environment: "node",
    include: ["test/browser/**/*.test.ts"],
    globalSetup: ["test/browser/global-setup.ts"],
    // One file, its tests in order: the last one scans what all the others stored and logged.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
