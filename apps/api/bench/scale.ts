// `pnpm bench:scale`: the cost curve. The same routes (list, get, create, login), one API process as
// production runs it (built, NODE_ENV=production, BCRYPT_COST 12), measured on a database holding only the
// benchmark's own users and on one holding 1,000,000 tasks of 100,000 users, seeded with SQL
// (generate_series). Prints the table of docs/scaling.md.
//
//   BENCH_SECONDS (default 5 per route and target), BENCH_CONNECTIONS (32; logins: BENCH_LOGIN_CONNECTIONS, 8)
//   BENCH_ONLY=list,get,create,login
//   BENCH_SCALE_USERS (100000), BENCH_SCALE_TASKS_PER_USER (10)
//   BENCH_SCALE_POOLER=1   also runs the big database's routes through a PgBouncer (transaction mode) of its own
//   BENCH_ADMIN_URL        where to create the databases (postgres://postgres@127.0.0.1:5432/postgres)
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { freshRequest, type PgBouncer, pgbouncerAvailable, startPgBouncer } from "@todo/test-kit";
import bcrypt from "bcrypt";
import pg from "pg";
import { runLoad } from "./load.js";
import { API_DIR, options, wanted } from "./options.js";
import { measureBcrypt, type Started, startApi } from "./processes.js";
import { format, HEADER } from "./report.js";
import { type Row, requestsFor } from "./scenarios.js";
import { type BenchDatabase, createBenchDatabase, type Fixture, PASSWORD } from "./seeding.js";

const USERS = Number(process.env.BENCH_SCALE_USERS ?? 100_000);
const TASKS_PER_USER = Number(process.env.BENCH_SCALE_TASKS_PER_USER ?? 10);
/** The benchmark's own users (reader, writer, updater, deleter, 8 logins): all there is in the "empty" database. */
const OWN_USERS = 12;
const POOLER = process.env.BENCH_SCALE_POOLER === "1";

// Unless told otherwise: the four routes the cost curve is about, a few seconds each, no floor.
if (!process.env.BENCH_ONLY) options.only = ["list", "get", "create", "login"];
if (!process.env.BENCH_SECONDS) options.seconds = 5;

/** fractional-indexing's digits: `a0`, `a1`, … `az` are the first 62 keys of a manual order, in order. */
const BASE_62_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * `users` accounts (password PASSWORD, hashed once at cost 12) with `tasksPerUser` tasks each. Tasks are
 * written round by round across all users, as they arrive in real life, so one person's tasks lie on as many
 * heap pages as they have tasks (a bulk insert per user would put them side by side and flatter the reads;
 * without the ORDER BY the planner does just that).
 * The tasks' secondary indexes are dropped for the insert and built afterwards (minutes faster); the sync
 * triggers stay, so change counters and versions are what the API itself would have written.
 */
async function seed(db: pg.Client, users: number, tasksPerUser: number, hash: string): Promise<void> {
  if (tasksPerUser > BASE_62_DIGITS.length) throw new Error(`at most ${BASE_62_DIGITS.length} tasks per user`);
  await db.query(
    `INSERT INTO users (id, email, password_hash, created_at, updated_at)
     SELECT gen_random_uuid()::text, 'scale-' || n || '@bench.example', $1, now() - interval '1 year', now()
     FROM generate_series(1, $2) AS n`,
    [hash, users],
  );
  const { rows: indexes } = await db.query<{ name: string; definition: string }>(
    `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
      WHERE i.tablename = 'tasks' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const index of indexes) await db.query(`DROP INDEX ${index.name}`);
  await db.query(
    `INSERT INTO tasks (id, user_id, title, description, completed, created_at, updated_at, position)
     SELECT gen_random_uuid(), u.id, 'Task ' || t, CASE WHEN t % 2 = 0 THEN 'Some notes about task ' || t END,
            t % 3 = 0, now() - make_interval(days => $1 - t), now(), 'a' || substr($2, t, 1)
     FROM generate_series(1, $1) AS t CROSS JOIN users AS u
     ORDER BY t, u.id`,
    [tasksPerUser, BASE_62_DIGITS],
  );
  for (const index of indexes) await db.query(index.definition);
  await db.query("VACUUM ANALYZE");
}

/** The fixture benchApi needs, from seeded users: tokens by logging in through the API itself. */
async function fixture(apiUrl: string, db: pg.Client): Promise<Fixture> {
  const { rows } = await db.query<{ id: string; email: string }>(
    "SELECT id, email FROM users ORDER BY email LIMIT $1",
    [OWN_USERS],
  );
  const login = async (email: string) => {
    const res = await freshRequest(apiUrl, "/api/v1/auth/login", {
      method: "POST",
      body: { email, password: PASSWORD },
    });
    if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.accessToken as string;
  };
  const taskIds = async (userId: string) =>
    (await db.query<{ id: string }>("SELECT id FROM tasks WHERE user_id = $1", [userId])).rows.map((r) => r.id);
  const [reader, writer, updater, deleter, ...logins] = rows;
  return {
    reader: { id: reader!.id, token: await login(reader!.email), taskIds: await taskIds(reader!.id) },
    writers: [{ id: writer!.id, token: await login(writer!.email) }],
    // The 10,000-task scenarios are not part of the scale run; the reader stands in for their user.
    big: { id: reader!.id, token: await login(reader!.email) },
    updater: { id: updater!.id, token: await login(updater!.email), taskIds: await taskIds(updater!.id) },
    deleter: { id: deleter!.id, token: await login(deleter!.email) },
    logins: logins.map((l) => l.email),
  };
}

/**
 * PostgreSQL's own time for the statements behind each route (EXPLAIN ANALYZE, median of 50 runs, and the
 * buffers one run touches): what the database size costs, apart from HTTP and the load on the machine.
 * The SQL mirrors what src/tasks/task-service.ts builds (default manual order) and the login's user lookup; keep
 * them in step.
 */
async function statementCosts(t: Target): Promise<string[]> {
  const f = t.fixture;
  const statements: [string, string, unknown[]][] = [
    [
      "list (first page of 50)",
      "SELECT * FROM tasks WHERE user_id = $1 ORDER BY position ASC, id ASC LIMIT 51",
      [f.reader.id],
    ],
    ["get", "SELECT * FROM tasks WHERE id = $1::uuid AND user_id = $2", [f.reader.taskIds[0], f.reader.id]],
    ["login: user by email", "SELECT id, email, password_hash FROM users WHERE email = $1", [f.logins[0]]],
  ];
  const lines: string[] = [];
  for (const [name, sql, params] of statements) {
    const times: number[] = [];
    let buffers = 0;
    let plan = "";
    for (let i = 0; i < 50; i++) {
      const { rows } = await t.db.query<{
        "QUERY PLAN": [{ "Execution Time": number; Plan: Record<string, unknown> }];
      }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
      const [result] = rows[0]!["QUERY PLAN"];
      times.push(result["Execution Time"]);
      buffers = Number(result.Plan["Shared Hit Blocks"] ?? 0) + Number(result.Plan["Shared Read Blocks"] ?? 0);
      const scans: string[] = [];
      const walk = (node: Record<string, unknown>) => {
        if (typeof node["Index Name"] === "string") scans.push(`${node["Node Type"]} on ${node["Index Name"]}`);
        else if (String(node["Node Type"]).includes("Scan")) scans.push(String(node["Node Type"]));
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      walk(result.Plan);
      plan = scans.join(", ");
    }
    times.sort((a, b) => a - b);
    lines.push(`| ${name} | ${t.label} | ${times[25]!.toFixed(3)} | ${buffers} | ${plan} |`);
  }
  return lines;
}

interface Target {
  label: string;
  database: BenchDatabase;
  db: pg.Client;
  fixture: Fixture;
  api?: Started;
  bouncer?: PgBouncer;
}

/** A database of `users` seeded users, migrated by a first start of the API, and the fixture for it. */
async function prepare(label: string, users: number, hash: string): Promise<Target> {
  const database = await createBenchDatabase();
  const db = new pg.Client({ connectionString: database.url });
  const migrator = await startApi(database.url, 1, false);
  await migrator.stop();
  await db.connect();
  const seeding = performance.now();
  await seed(db, users, TASKS_PER_USER, hash);
  const { rows } = await db.query<{ tasks: string; size: string }>(
    "SELECT (SELECT count(*) FROM tasks)::text AS tasks, pg_size_pretty(pg_database_size(current_database())) AS size",
  );
  console.log(
    `${label}: ${users} users, ${rows[0]!.tasks} tasks, database ${rows[0]!.size}, seeded in ${((performance.now() - seeding) / 1000).toFixed(0)} s`,
  );
  const api = await startApi(database.url, 1, false);
  try {
    return { label, database, db, fixture: await fixture(api.url, db) };
  } finally {
    await api.stop();
  }
}

async function main() {
  if (!existsSync(join(API_DIR, "dist/main.js"))) throw new Error("dist/main.js missing: run `pnpm build`");
  const loadBefore = loadavg();
  console.log(`load average before: ${loadBefore.map((v) => v.toFixed(2)).join(" ")}`);
  const bcryptRate = measureBcrypt(3);
  console.log(`bcrypt cost 12: ${bcryptRate.perSecond.toFixed(1)} comparisons/s (${bcryptRate.threads} threads)`);
  const hash = await bcrypt.hash(PASSWORD, 12);
  const targets: Target[] = [];
  const rows: Row[] = [];
  const costs: string[] = [];
  try {
    targets.push(await prepare("empty", OWN_USERS, hash));
    const big = await prepare(`${(USERS * TASKS_PER_USER).toLocaleString("en")} tasks`, USERS, hash);
    targets.push(big);
    if (POOLER) {
      if (!pgbouncerAvailable()) throw new Error("BENCH_SCALE_POOLER=1 needs /usr/sbin/pgbouncer");
      const bouncer = await startPgBouncer({ serverUrl: big.database.url });
      targets.push({ ...big, label: `${big.label} via PgBouncer`, bouncer });
    }
    costs.push("| statement | database | execution ms (median) | buffers | plan |", "|---|---|--:|--:|---|");
    for (const t of targets.filter((x) => !x.bouncer)) costs.push(...(await statementCosts(t)));
    console.log(["", ...costs].join("\n"));
    // Every target's API runs throughout (an idle one costs nothing); each route is measured on one target
    // right after the other, so that a ratio compares runs seconds apart on this shared, loaded machine.
    for (const t of targets) {
      t.api = t.bouncer
        ? await startApi(t.bouncer.url, 1, false, { DIRECT_DATABASE_URL: t.database.url })
        : await startApi(t.database.url, 1, false);
    }
    for (const t of targets) {
      for (const scenario of ["list", "get"] as const) {
        const next = requestsFor(scenario, t.fixture, []);
        await runLoad({ url: t.api!.url, connections: options.connections, seconds: options.warmUpSeconds, next });
      }
    }
    console.log(["", ...HEADER].join("\n"));
    for (const scenario of (["list", "get", "create", "login"] as const).filter(wanted)) {
      for (const t of targets) {
        await new Promise((r) => setTimeout(r, 1_000));
        const result = await runLoad({
          url: t.api!.url,
          connections: scenario === "login" ? options.loginConnections : options.connections,
          // A login costs ~0.1–1 s of bcrypt here: a few seconds would time a handful of them.
          seconds: scenario === "login" ? Math.max(options.seconds, 15) : options.seconds,
          next: requestsFor(scenario, t.fixture, []),
          watchPids: [t.api!.pid],
        });
        const row: Row = {
          target: `api ×1, ${t.label}`,
          scenario,
          result,
          ...(scenario === "login" && {
            note: `${result.requestsPerSecond.toFixed(2)}/s, ${((100 * result.requestsPerSecond) / bcryptRate.perSecond).toFixed(0)}% of bcrypt alone (${bcryptRate.perSecond.toFixed(1)}/s)`,
          }),
        };
        rows.push(row);
        console.log(format(row));
        // Hashes still queued for requests the load generator stopped waiting for.
        if (scenario === "login")
          await new Promise((r) => setTimeout(r, 2_000 + (1_000 * options.loginConnections) / bcryptRate.perSecond));
      }
    }
  } finally {
    for (const t of targets) await t.api?.stop();
    for (const t of targets) await t.bouncer?.stop();
    for (const t of targets.filter((x) => !x.bouncer)) {
      await t.db.end().catch(() => undefined);
      await t.database.drop();
    }
  }
  console.log(
    `\nload average after: ${loadavg()
      .map((v) => v.toFixed(2))
      .join(" ")}`,
  );
  console.log(["", ...HEADER, ...rows.map(format)].join("\n"));
  console.log(["", ...costs].join("\n"));
  if (rows.some((r) => Object.keys(r.result.failures).length > 0)) {
    console.error("\nsome requests failed: the figures measured something else");
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
