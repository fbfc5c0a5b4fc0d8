declare namespace Cloudflare {
  interface Env {
    /** Test-only binding: the D1 migrations, read by test/vitest.config.ts. */
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    PROPERTY_RUNS: string;
    PROPERTY_SEED: string;
  }
}
