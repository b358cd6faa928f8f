// `pnpm db:import <file>`: loads a plain-format pg_dump of a PostgreSQL database (`pg_dump --no-owner
// --no-privileges`) into a new embedded database in PGLITE_DIR: the way back from a PostgreSQL server.
// It refuses a folder that already holds a database rather than mixing two, and a dump whose schema is not
// exactly what its recorded migrations produce (see assertSchemaMatchesMigrations): a dump is SQL that runs
// with full rights over the database, so import only dumps from a source you trust.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { loadEnv } from "../config/env.js";
import { openPgliteFolder } from "./pglite-folder.js";
import { restoreIntoPglite } from "./pglite-restore.js";
import { assertSchemaMatchesMigrations } from "./schema-fingerprint.js";

const env = loadEnv();
const requested = process.argv[2];

try {
  if (!requested) throw new Error("name the dump to load: pnpm db:import <file.sql>");
  if (env.PGLITE_DIR === "memory://") throw new Error("PGLITE_DIR=memory:// would be gone at exit: name a folder.");
  // Relative to where the command was typed, not to apps/api where pnpm runs the script.
  const file = resolve(env.INIT_CWD ?? process.cwd(), requested);
  const script = await readFile(file, "utf8");
  const started = performance.now();
  const folder = await openPgliteFolder(env.PGLITE_DIR);
  try {
    // Checked under the lock; PGlite.create has just initialised the folder if it was empty.
    const { rows } = await folder.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_catalog.pg_tables WHERE schemaname = 'public'",
    );
    if (rows[0]!.n > 0) {
      throw new Error(`${folder.dir} already holds a database: import into an empty folder (PGLITE_DIR).`);
    }
    await restoreIntoPglite(folder.client, script, (query) => assertSchemaMatchesMigrations(query));
    const counts = await folder.client.query<{ users: number; tasks: number }>(
      "SELECT (SELECT count(*) FROM public.users)::int AS users, (SELECT count(*) FROM public.tasks)::int AS tasks",
    );
    const { users, tasks } = counts.rows[0]!;
    console.log(
      `Imported ${file} into the embedded database in ${folder.dir} (${users} users, ${tasks} tasks) in ${Math.round(performance.now() - started)} ms.`,
    );
  } finally {
    await folder.close();
  }
} catch (error) {
  console.error(`Import failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
