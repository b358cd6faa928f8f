import { access } from "node:fs/promises";
import type { Logger } from "pino";
import { MIGRATION_PATHS } from "../config/paths.js";
import { type Database, type DatabaseTarget, openDatabase } from "./database.js";
import { applyMigrations, type MigrationPaths } from "./schema-engine.js";

export interface OpenMigratedOptions {
  /** Apply pending migrations before handing the database over (default true). */
  migrate?: boolean;
  /** Where the migrations are; the API's own (see config/paths.ts) unless a test says otherwise. */
  paths?: MigrationPaths;
}

export interface MigratedDatabase {
  db: Database;
  /** Names of the migrations this call applied (empty when none were pending or `migrate` was false). */
  applied: string[];
}

/**
 * The one way to open a database for use: the server, the cluster primary, `pnpm db:migrate` and the test
 * set-up all come through here. On a failed migration the connection is closed before the error is rethrown.
 */
export async function openMigratedDatabase(
  target: DatabaseTarget,
  logger: Logger,
  { migrate = true, paths = MIGRATION_PATHS }: OpenMigratedOptions = {},
): Promise<MigratedDatabase> {
  // The engine treats a missing folder as "no migrations"; for the API that is a broken build, not a fresh schema.
  if (migrate) {
    await access(paths.migrationsDir).catch(() => {
      throw new Error(`No migrations at ${paths.migrationsDir} (see apps/api/src/config/paths.ts)`);
    });
  }
  const db = await openDatabase(target, logger);
  if (!migrate) return { db, applied: [] };
  try {
    const applied = await applyMigrations(db.adapterFactory, paths);
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
    return { db, applied };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
