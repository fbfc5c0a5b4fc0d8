// Worker secrets (docs/operating/secrets.md): set by `wrangler secret put` in production and `.dev.vars`
// locally. Declared here because `wrangler types` sees them only when a `.dev.vars` exists.
interface WorkerSecrets {
  JWT_SECRET: string;
  DATA_ENCRYPTION_KEY: string;
}
interface Env extends WorkerSecrets {}
declare namespace Cloudflare {
  interface Env extends WorkerSecrets {}
}
