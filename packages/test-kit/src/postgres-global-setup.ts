import type { TestProject } from "vitest/node";
import { createLogger, openMigratedDatabase } from "./api.js";
import { createPostgresDatabase } from "./databases.js";

import "./provided-context.js";

/**
 * Vitest global set-up of the PostgreSQL projects: a fresh database for the run, migrated, provided to the tests
 * as `inject("databaseUrl")` and dropped at the end.
 */
export default async function setup(project: TestProject) {
  const database = await createPostgresDatabase("todo_test");
  try {
    const { db } = await openMigratedDatabase(
      { kind: "postgres", url: database.url, poolMax: 2, connectionTimeoutMs: 5_000, statementTimeoutMs: 30_000 },
      createLogger("silent"),
    );
    await db.close();
  } catch (err) {
    await database.drop();
    throw err;
  }
  project.provide("databaseUrl", database.url);
  return () => database.drop();
}
