// `pnpm --filter @todo/api exec tsx bench/export.ts [tasks...]`: how big and how slow the
// move from the embedded database to PostgreSQL is. For each task count: a fresh PGlite folder migrated and
// filled by SQL (10 users, the tasks spread over them, one sign-in each), then `db:export` as a user runs it
// (a process of its own, start-up included), then `psql -v ON_ERROR_STOP=1` into a fresh database.
// Measured figures are in the README (Moving from the embedded database to PostgreSQL).
//   BENCH_ADMIN_URL  where to create the databases (postgres://postgres@127.0.0.1:5432/postgres)
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { MIGRATION_PATHS } from "../src/config/paths.js";
import { openDatabase } from "../src/db/database.js";
import { applyMigrations } from "../src/db/schema-engine.js";
import { createLogger } from "../src/lib/logger.js";

const adminUrl = process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const counts = process.argv.slice(2).map(Number);
const taskCounts = counts.length > 0 ? counts : [1_000, 10_000, 50_000];

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

for (const tasks of taskCounts) {
  const work = mkdtempSync(join(tmpdir(), "todo-export-bench-"));
  const dir = join(work, "pglite");
  const db = await openDatabase({ kind: "pglite", dir }, createLogger("silent"));
  await applyMigrations(db.adapterFactory, MIGRATION_PATHS);
  const seed = [
    `INSERT INTO users (id, email, password_hash, created_at, updated_at)
       SELECT gen_random_uuid(), 'user' || g || '@example.com', '$2b$12$' || repeat('x', 53), now(), now()
       FROM generate_series(1, 10) g`,
    `INSERT INTO sign_ins (id, user_id, created_at, expires_at)
       SELECT gen_random_uuid(), id, now(), now() + interval '30 days' FROM users`,
    `INSERT INTO tasks (id, user_id, title, description, completed, created_at, updated_at)
       SELECT gen_random_uuid(), (ARRAY(SELECT id FROM users ORDER BY email))[1 + g % 10], 'Task number ' || g,
              CASE WHEN g % 2 = 0 THEN 'A description of task ' || g || ', long enough to be typical.' END,
              g % 3 = 0, now(), now()
       FROM generate_series(1, ${tasks}) g`,
  ];
  for (const statement of seed) await db.prisma.$executeRawUnsafe(statement);
  await db.close();

  const file = join(work, "dump.sql");
  let started = performance.now();
  const said = execFileSync(process.execPath, ["--import", "tsx", "src/db/export-cli.ts", file], {
    env: { ...process.env, PGLITE_DIR: dir },
    encoding: "utf8",
  });
  const exportSeconds = seconds(started);
  // What the export itself reports: opening the folder, pg_dump and writing the file, without process start-up.
  const dumpSeconds = (Number(/in (\d+) ms/.exec(said)?.[1]) / 1000).toFixed(1);
  const name = `todo_export_bench_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  started = performance.now();
  execFileSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", target.toString(), "-f", file], { stdio: "ignore" });
  const loadSeconds = seconds(started);
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
  const mib = (statSync(file).size / 2 ** 20).toFixed(1);
  console.log(
    `${tasks} tasks: dump ${mib} MiB, db:export ${exportSeconds} s (of which open + dump + write ${dumpSeconds} s), psql load ${loadSeconds} s`,
  );
  rmSync(work, { recursive: true, force: true });
}
