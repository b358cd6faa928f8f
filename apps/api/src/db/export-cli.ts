// `pnpm db:export [file]`: writes the embedded database (PGLITE_DIR) as a plain SQL dump that psql loads
// into an empty PostgreSQL database. `-` writes to standard output. The folder is locked meanwhile, so the
// API must be stopped first: a dump of a folder another process is writing to would not be consistent.
import { open } from "node:fs/promises";
import { resolve } from "node:path";
import { loadEnv } from "../config/env.js";
import { dumpPglite } from "./pglite-dump.js";
import { openPgliteFolder } from "./pglite-folder.js";

const stamp = () => new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);

const env = loadEnv();
const requested = process.argv[2];
const toStdout = requested === "-";
// Relative to where the command was typed, not to apps/api where pnpm runs the script.
const outFile = toStdout
  ? undefined
  : resolve(env.INIT_CWD ?? process.cwd(), requested ?? `todo-export-${stamp()}.sql`);
const log = (line: string) => (toStdout ? console.error(line) : console.log(line));

try {
  if (env.PGLITE_DIR === "memory://") throw new Error("PGLITE_DIR=memory:// has nothing to export.");
  const started = performance.now();
  const folder = await openPgliteFolder(env.PGLITE_DIR, { mustExist: true });
  let dump: string;
  let counts: { users: number; tasks: number };
  try {
    dump = await dumpPglite(folder.client);
    const { rows } = await folder.client.query<{ users: number; tasks: number }>(
      "SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM tasks)::int AS tasks",
    );
    counts = rows[0]!;
  } finally {
    await folder.close();
  }
  if (outFile) {
    // "wx": never overwrite an earlier export.
    const handle = await open(outFile, "wx");
    try {
      await handle.writeFile(dump);
    } finally {
      await handle.close();
    }
  } else {
    process.stdout.write(dump);
  }
  const ms = Math.round(performance.now() - started);
  log(
    `Exported the embedded database in ${folder.dir} (${counts.users} users, ${counts.tasks} tasks) to ${outFile ?? "standard output"}: ${Buffer.byteLength(dump)} bytes in ${ms} ms.`,
  );
  if (outFile)
    log(
      `Load it into an empty PostgreSQL database with: psql --single-transaction -v ON_ERROR_STOP=1 -d <DATABASE_URL> -f ${outFile}`,
    );
} catch (error) {
  console.error(`Export failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
