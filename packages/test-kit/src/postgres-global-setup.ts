import type { TestProject } from "vitest/node";
import { createPostgresDatabase } from "./databases.js";
import { runApiCli } from "./process.js";

import "./provided-context.js";

/**
 * Vitest global set-up of the PostgreSQL projects: a fresh database for the run, migrated, provided to the tests
 * as `inject("databaseUrl")` and dropped at the end.
 *
 * The migration runs in a child process (`pnpm db:migrate`'s CLI): the http and the process projects each run
 * this set-up in Vitest's main process, each with a module graph of its own, and a second copy of the schema
 * engine's wasm in one process fails (invalid UTF-8 in its own error text, which ends the whole run).
 */
export default async function setup(project: TestProject) {
  const database = await createPostgresDatabase("todo_test");
  const migrated = await runApiCli("src/db/migrate-cli.ts", [], { DATABASE_URL: database.url }).catch((err: Error) => ({
    code: null,
    stdout: "",
    stderr: err.message,
  }));
  if (migrated.code !== 0) {
    await database.drop();
    throw new Error(`migrating the test database failed:\n${migrated.stderr}`);
  }
  project.provide("databaseUrl", database.url);
  return () => database.drop();
}
