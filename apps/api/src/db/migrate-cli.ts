// `pnpm db:migrate`: applies pending migrations (see config/paths.ts for where they are found) to the configured database
// (DIRECT_DATABASE_URL, else DATABASE_URL, else the embedded PGlite in PGLITE_DIR), the same way the API does at
// start-up.
import { loadEnv } from "../config/env.js";
import { createLogger } from "../lib/logger.js";
import { type DatabaseTarget, databaseTarget } from "./database.js";
import { openMigratedDatabase } from "./migrated-database.js";

function describeTarget(target: DatabaseTarget): string {
  if (target.kind === "pglite") return `PGlite at ${target.dir}`;
  try {
    // Where the migrations run: the direct URL when there is one.
    const url = new URL(target.directUrl ?? target.url);
    if (url.password) url.password = "***";
    return `PostgreSQL at ${url.toString()}`;
  } catch {
    return `PostgreSQL (${target.directUrl ? "DIRECT_DATABASE_URL" : "DATABASE_URL"})`;
  }
}

const env = loadEnv();
const target = databaseTarget(env);
const started = performance.now();
try {
  const { db, applied } = await openMigratedDatabase(target, createLogger("warn"), {
    waitMs: env.DB_STARTUP_WAIT * 1000,
  });
  try {
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
