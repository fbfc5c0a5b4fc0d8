import path from "node:path";
import { defineConfig } from "vitest/config";

// Docs tests: plain Node, reading the repository's files (workerd tests cannot read the file system).
const root = path.resolve(import.meta.dirname, "../..");

export default defineConfig({
  test: {
    root,
    environment: "node",
    include: ["test/docs/**/*.test.ts"],
  },
});
