import { access } from "node:fs/promises";
import type { Logger } from "pino";
import { MIGRATION_PATHS } from "../config/paths.js";
import { type Database, type DatabaseTarget, openDatabase } from "./database.js";
import { applyMigrations, type MigrationPaths } from "./schema-engine.js";
import { untilDatabaseAnswers } from "./startup-wait.js";

const FIRST_CONTACT_TIMEOUT_MS = 30_000;

export interface OpenMigratedOptions {
  /** Apply pending migrations before handing the database over (default true). */
  migrate?: boolean;
  /** Where the migrations are; the API's own (see config/paths.ts) unless a test says otherwise. */
  paths?: MigrationPaths;
  /** How long a database that cannot be reached yet is waited for (`DB_STARTUP_WAIT`); default: not at all. */
  waitMs?: number;
}

export interface MigratedDatabase {
  db: Database;
  /** Names of the migrations this call applied (empty when none were pending or `migrate` was false). */
  applied: string[];
}

/**
 * The one way to open a database for use: the server, the cluster primary, `pnpm db:migrate` and the test
 * set-up all come through here. On a failed migration the connection is closed before the error is rethrown;
 * a database that cannot be reached yet is tried again for `waitMs`.
 */
export async function openMigratedDatabase(
  target: DatabaseTarget,
  logger: Logger,
  { migrate = true, paths = MIGRATION_PATHS, waitMs = 0 }: OpenMigratedOptions = {},
): Promise<MigratedDatabase> {
  // The engine treats a missing folder as "no migrations"; for the API that is a broken build, not a fresh schema.
  if (migrate) {
    await access(paths.migrationsDir).catch(() => {
      throw new Error(`No migrations at ${paths.migrationsDir} (see apps/api/src/config/paths.ts)`);
    });
  }
  if (!migrate) return { db: await openDatabase(target, logger), applied: [] };
  return untilDatabaseAnswers(
    "migrations",
    async () => {
      const db = await openDatabase(target, logger);
      try {
        // The schema engine reports an unreachable server only as an opaque "External error": ask the pool
        // first, whose errors say what happened (and decide whether waiting can help).
        await db.ping(FIRST_CONTACT_TIMEOUT_MS);
        const applied = await applyMigrations(db.adapterFactory, paths);
        if (applied.length > 0) logger.info({ applied }, "migrations applied");
        return { db, applied };
      } catch (error) {
        await db.close().catch(() => undefined);
        throw error;
      }
    },
    { waitMs, logger },
  );
}
