// `pnpm db:migrate`: applies pending migrations from prisma/migrations to the configured database
// (DATABASE_URL, else the embedded PGlite in PGLITE_DIR), the same way the API does at start-up.
import { loadEnv } from "../config/env.js";
import { MIGRATION_PATHS } from "../config/paths.js";
import { createLogger } from "../lib/logger.js";
import { databaseTarget } from "../server.js";
import { openDatabase } from "./database.js";
import { applyMigrations } from "./schema-engine.js";

function describeTarget(target: ReturnType<typeof databaseTarget>): string {
  if (target.kind === "pglite") return `PGlite at ${target.dir}`;
  try {
    const url = new URL(target.url);
    if (url.password) url.password = "***";
    return `PostgreSQL at ${url.toString()}`;
  } catch {
    return "PostgreSQL (DATABASE_URL)";
  }
}

const env = loadEnv();
const target = databaseTarget(env);
const started = performance.now();
try {
  const db = await openDatabase(target, createLogger("warn"));
  try {
    const applied = await applyMigrations(db.adapterFactory, MIGRATION_PATHS);
    const ms = Math.round(performance.now() - started);
    if (applied.length === 0) console.log(`No pending migrations on ${describeTarget(target)} (${ms} ms).`);
    else {
      console.log(`Applied ${applied.length} migration(s) to ${describeTarget(target)} in ${ms} ms:`);
      for (const name of applied) console.log(`  ${name}`);
    }
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(
    `Migrating ${describeTarget(target)} failed:\n${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 1;
}
