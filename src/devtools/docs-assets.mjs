#!/usr/bin/env node
// Copies Swagger UI's script and stylesheet out of node_modules into `.assets/docs/assets/`, the
// Workers static-assets directory (wrangler.toml [assets]). Served as assets, these 1.4 MB never
// count against the worker script's size and never start an isolate. Run by `npm install`
// (postinstall); `.assets/` is git-ignored.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const require = createRequire(import.meta.url);
const source = path.dirname(require.resolve("swagger-ui-dist/package.json"));
const target = path.join(root, ".assets", "docs", "assets");
mkdirSync(target, { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) copyFileSync(path.join(source, file), path.join(target, file));
