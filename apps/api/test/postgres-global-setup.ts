import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openMigratedDatabase } from "../src/db/migrated-database.js";
import { createLogger } from "../src/lib/logger.js";

/** Admin connection used to create and drop the run's database (TEST_POSTGRES_ADMIN_URL overrides). */
const ADMIN_URL = process.env.TEST_POSTGRES_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    database: "pglite" | "postgres";
    databaseUrl: string | undefined;
  }
}

/** Provisions a fresh PostgreSQL database for this run, migrated, and drops it afterwards. */
export default async function setup(project: TestProject) {
  const name = `todo_test_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const logger = createLogger("silent");
  const { db } = await openMigratedDatabase(
    { kind: "postgres", url: databaseUrl, poolMax: 2, connectionTimeoutMs: 5_000, statementTimeoutMs: 30_000 },
    logger,
  );
  await db.close();
  project.provide("databaseUrl", databaseUrl);

  return async () => {
    const cleanup = new pg.Client({ connectionString: ADMIN_URL });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  };
}
