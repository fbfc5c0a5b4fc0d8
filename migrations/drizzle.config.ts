import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes a new migration here from src/db/schema.ts; never edit an applied one.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
