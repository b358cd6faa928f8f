// `pnpm --filter @todo/api exec tsx bench/sync-triggers.ts`: what the sync triggers (version, change number and
// the per-user counter, tombstones) add to a write, measured in PostgreSQL itself: the same single-row INSERT,
// UPDATE and DELETE statements, one client, with the triggers enabled and disabled, alternating rounds so that a
// loaded machine affects both alike. Prints microseconds per statement (median of the rounds).
import { randomUUID } from "node:crypto";
import pg from "pg";
import { openMigratedDatabase } from "../src/db/migrated-database.js";
import { createLogger } from "../src/lib/logger.js";

const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const name = `sync_triggers_${Date.now()}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
try {
  const { db } = await openMigratedDatabase(
    { kind: "postgres", url: url.toString(), poolMax: 1, connectionTimeoutMs: 5_000, statementTimeoutMs: 60_000 },
    createLogger("silent"),
  );
  await db.close();
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  // Without waiting for the WAL flush of each commit: what is measured is the statements' own work, not the disk.
  if (process.env.BENCH_SYNC_COMMIT !== "on") await client.query("SET synchronous_commit = off");
  const userId = randomUUID();
  await client.query("INSERT INTO users (id, email, password_hash) VALUES ($1, $2, 'x')", [userId, `${userId}@b.ch`]);

  const timed = async (run: (i: number) => Promise<unknown>) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < STATEMENTS; i++) await run(i);
    return Number(process.hrtime.bigint() - started) / 1e3 / STATEMENTS;
  };
  const results: Record<string, Record<"on" | "off", number[]>> = {
    insert: { on: [], off: [] },
    update: { on: [], off: [] },
    delete: { on: [], off: [] },
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 ? (["off", "on"] as const) : (["on", "off"] as const)) {
      await client.query(`ALTER TABLE tasks ${mode === "on" ? "ENABLE" : "DISABLE"} TRIGGER USER`);
      const ids = Array.from({ length: STATEMENTS }, () => randomUUID());
      results.insert![mode].push(
        await timed((i) =>
          client.query(
            "INSERT INTO tasks (id, user_id, title, position, created_at, updated_at) VALUES ($1, $2, $3, $4, now(), now())",
            [ids[i], userId, `task ${i}`, `a${String(i).padStart(6, "0")}`],
          ),
        ),
      );
      results.update![mode].push(
        await timed((i) =>
          client.query("UPDATE tasks SET title = $1, updated_at = now() WHERE id = $2 AND user_id = $3", [
            `renamed ${i}`,
            ids[i],
            userId,
          ]),
        ),
      );
      results.delete![mode].push(
        await timed((i) => client.query("DELETE FROM tasks WHERE id = $1 AND user_id = $2", [ids[i], userId])),
      );
    }
  }
  // The same, as PostgreSQL itself accounts it (EXPLAIN ANALYZE: the triggers' time within each statement's
  // execution). Both are inflated alike by a busy machine, so their ratio is the steadier figure.
  await client.query("ALTER TABLE tasks ENABLE TRIGGER USER");
  const explained: Record<string, { trigger: number; total: number }> = {};
  const explain = async (statement: string, sqlText: string, params: unknown[]) => {
    const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sqlText}`, params);
    const plan = (
      rows[0] as { "QUERY PLAN": { "Execution Time": number; Triggers?: { "Trigger Name": string; Time: number }[] }[] }
    )["QUERY PLAN"][0]!;
    const entry = (explained[statement] ??= { trigger: 0, total: 0 });
    // Only ours (tasks_sync_*), not the foreign-key checks, which are triggers too.
    entry.trigger += (plan.Triggers ?? [])
      .filter((t) => t["Trigger Name"].startsWith("tasks_sync"))
      .reduce((sum, t) => sum + t.Time, 0);
    entry.total += plan["Execution Time"];
  };
  for (let i = 0; i < 300; i++) {
    const id = randomUUID();
    await explain(
      "insert",
      "INSERT INTO tasks (id, user_id, title, position, created_at, updated_at) VALUES ($1, $2, $3, $4, now(), now())",
      [id, userId, `task ${i}`, `b${String(i).padStart(6, "0")}`],
    );
    await explain("update", "UPDATE tasks SET title = $1, updated_at = now() WHERE id = $2 AND user_id = $3", [
      `renamed ${i}`,
      id,
      userId,
    ]);
    await explain("delete", "DELETE FROM tasks WHERE id = $1 AND user_id = $2", [id, userId]);
  }
  await client.end();
  console.log("EXPLAIN ANALYZE, 300 statements each: time in the sync triggers / execution time (µs per statement)");
  for (const [statement, { trigger, total }] of Object.entries(explained)) {
    console.log(`| ${statement} | ${((trigger * 1000) / 300).toFixed(0)} | ${((total * 1000) / 300).toFixed(0)} |`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `${STATEMENTS} statements × ${ROUNDS} rounds, one client, synchronous_commit ${process.env.BENCH_SYNC_COMMIT === "on" ? "on" : "off"}, µs per statement (median of rounds):`,
  );
  console.log("| statement | triggers on | triggers off | added |");
  console.log("|---|---|---|---|");
  for (const [statement, { on, off }] of Object.entries(results)) {
    const [a, b] = [median(on), median(off)];
    console.log(
      `| ${statement} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(a - b).toFixed(0)} µs (${((100 * (a - b)) / b).toFixed(0)}%) |`,
    );
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
