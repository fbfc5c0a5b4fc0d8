/**
 * The layers of src/ (docs/architecture.md, "Layout"), checked by `npm run lint`:
 * - domain/ is pure vocabulary and logic: it imports nothing else of ours;
 * - storage and logic below the HTTP layer never import http/ (services, objects, wallets,
 *   payments, webhooks, db);
 * - objects/ is the kernel the object kinds are built on: it never imports them;
 * - no import cycles anywhere.
 */
module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "domain/ takes values and returns values: it imports only domain/ (and the platform)",
      severity: "error",
      from: { path: "^src/domain/" },
      to: { path: "^src/", pathNot: "^src/domain/" },
    },
    {
      name: "no-http-below-routes",
      comment: "services, objects, storage and the queue consumers know no HTTP layer",
      severity: "error",
      from: { path: "^src/(services|objects|wallet|payments|webhooks|db|signatures|rate-limit)/" },
      to: { path: "^src/http/" },
    },
    {
      name: "kernel-knows-no-kind",
      comment: "objects/ is what every Durable Object kind is built on: it never imports a kind",
      severity: "error",
      from: { path: "^src/objects/" },
      to: { path: "^src/(wallet|payments|webhooks|payouts)/" },
    },
    {
      name: "no-cycles",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "src/worker-configuration\\.d\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
