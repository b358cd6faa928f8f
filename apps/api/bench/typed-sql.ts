// `pnpm --filter @todo/api exec tsx bench/typed-sql.ts`: the client-side CPU each way of sending the task queries
// costs, in this process (no HTTP): bare pg, Prisma `$queryRaw` (the task service before issue 16.5) and Kysely (the
// typed SQL layer, db/kysely.ts), on the same pool and database. Sequential calls; CPU time (process.cpuUsage), which
// a machine busy with other work inflates far less than wall time. ROUNDS (3) × CALLS (2000) per variant, median.
import { randomUUID } from "node:crypto";
import { generateNKeysBetween } from "fractional-indexing";
import pg from "pg";
import { openMigratedDatabase } from "../src/db/migrated-database.js";
import { Prisma } from "../src/generated/prisma/client.js";
import { createLogger } from "../src/lib/logger.js";
import { TASK_COLUMNS, toTaskDto } from "../src/tasks/task-service.js";
import { createBenchDatabase } from "./seeding.js";

const CALLS = Number(process.env.CALLS ?? 2_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const RAW_COLUMNS = `id, user_id AS "userId", title, description, completed, created_at AS "createdAt",
  updated_at AS "updatedAt", list_id AS "listId", due_date AS "dueDate", priority, position,
  completed_at AS "completedAt"`;

async function cpuPerCall(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(); // warm-up
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) await fn();
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / CALLS);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function main() {
  const database = await createBenchDatabase();
  const logger = createLogger("warn");
  const { db } = await openMigratedDatabase(
    { kind: "postgres", url: database.url, poolMax: 4, connectionTimeoutMs: 5_000, statementTimeoutMs: 10_000 },
    logger,
    { migrate: true },
  );
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  try {
    const userId = randomUUID();
    await pool.query("INSERT INTO users (id, email, password_hash) VALUES ($1, $2, 'x')", [userId, `${userId}@b.c`]);
    const keys = generateNKeysBetween(null, null, 50);
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO tasks (id, user_id, title, position, created_at, updated_at)
       SELECT gen_random_uuid(), $1, 'Task ' || n, p, now(), now() FROM unnest($2::text[]) WITH ORDINALITY AS u(p, n)
       RETURNING id`,
      [userId, keys],
    );
    const taskId = rows[0]!.id;
    const variants: [string, () => Promise<unknown>][] = [
      [
        "get: pg",
        async () =>
          (await pool.query(`SELECT ${RAW_COLUMNS} FROM tasks WHERE id = $1::uuid AND user_id = $2`, [taskId, userId]))
            .rows[0],
      ],
      [
        "get: Prisma $queryRaw",
        async () =>
          db.prisma
            .$queryRaw`SELECT ${Prisma.raw(RAW_COLUMNS)} FROM tasks WHERE id = ${taskId}::uuid AND user_id = ${userId}`,
      ],
      [
        "get: Kysely",
        async () =>
          toTaskDto(
            (await db.sql
              .selectFrom("tasks")
              .select(TASK_COLUMNS)
              .where("id", "=", taskId)
              .where("userId", "=", userId)
              .executeTakeFirstOrThrow()) as never,
          ),
      ],
      [
        "list 50: pg",
        async () =>
          (
            await pool.query(`SELECT ${RAW_COLUMNS} FROM tasks WHERE user_id = $1 ORDER BY position, id LIMIT 51`, [
              userId,
            ])
          ).rows,
      ],
      [
        "list 50: Prisma $queryRaw",
        async () =>
          db.prisma
            .$queryRaw`SELECT ${Prisma.raw(RAW_COLUMNS)} FROM tasks WHERE user_id = ${userId} ORDER BY position, id LIMIT 51`,
      ],
      [
        "list 50: Kysely",
        async () =>
          db.sql
            .selectFrom("tasks")
            .select(TASK_COLUMNS)
            .where("userId", "=", userId)
            .orderBy("position")
            .orderBy("id")
            .limit(51)
            .execute(),
      ],
      [
        "transaction (BEGIN, 1 query, COMMIT): Kysely",
        async () =>
          db.sql
            .transaction()
            .execute(async (tx) =>
              tx.selectFrom("users").select("id").where("id", "=", userId).forNoKeyUpdate().execute(),
            ),
      ],
    ];
    console.log(`| query | client CPU µs per call (median of ${ROUNDS} × ${CALLS}) |\n|---|--:|`);
    for (const [name, fn] of variants) console.log(`| ${name} | ${(await cpuPerCall(fn)).toFixed(0)} |`);
  } finally {
    await pool.end();
    await db.close();
    await database.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
