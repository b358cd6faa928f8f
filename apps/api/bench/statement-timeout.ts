// What bounding every statement costs, three ways, on the API's own stack (Prisma + @prisma/adapter-pg + pg
// pool) against PostgreSQL directly:
//   startup   statement_timeout as a startup parameter (what the API did before; PgBouncer refuses it)
//   bounded   the API's way now (db/bounded-client.ts): a deadline per statement that cancels it on the server
//   set-local each statement in its own transaction with SET LOCAL statement_timeout (the server-only way)
// Rounds alternate between the variants so that a loaded machine weighs on each alike; the median round counts.
//
//   pnpm --filter @todo/api exec tsx bench/statement-timeout.ts   (BENCH_SECONDS per round, default 2; 5 rounds)
import { randomBytes } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { boundedClient } from "../src/db/bounded-client.js";
import { PrismaClient } from "../src/generated/prisma/client.js";

const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = 16;
const TIMEOUT_MS = 10_000;

type Variant = "startup" | "bounded" | "set-local";

function client(url: string, variant: Variant): { prisma: PrismaClient; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    max: 20,
    ...(variant === "startup" && { statement_timeout: TIMEOUT_MS }),
    ...(variant === "bounded" && { Client: boundedClient(TIMEOUT_MS) }),
  });
  pool.on("error", () => undefined);
  return { prisma: new PrismaClient({ adapter: new PrismaPg(pool) }), pool };
}

/** The API's most common statement shape: one parameterised read by primary key. */
async function statement(prisma: PrismaClient, variant: Variant, id: number): Promise<void> {
  if (variant === "set-local") {
    await prisma.$transaction([
      prisma.$executeRawUnsafe(`SET LOCAL statement_timeout = ${TIMEOUT_MS}`),
      prisma.$queryRaw`SELECT id, payload FROM bench_rows WHERE id = ${id}`,
    ]);
  } else {
    await prisma.$queryRaw`SELECT id, payload FROM bench_rows WHERE id = ${id}`;
  }
}

interface RoundResult {
  perSecond: number;
  p50: number;
  /** This process's CPU (user + system) per statement: steadier than wall-clock rates on a shared machine. */
  cpuMicros: number;
}

async function round(prisma: PrismaClient, variant: Variant): Promise<RoundResult> {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        await statement(prisma, variant, 1 + Math.floor(Math.random() * 1000));
        latencies.push(performance.now() - started);
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / SECONDS,
    p50: latencies[Math.floor(latencies.length / 2)]!,
    cpuMicros: (used.user + used.system) / latencies.length,
  };
}

async function main() {
  const name = `todo_bench_timeout_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const variants: Variant[] = ["startup", "bounded", "set-local"];
  const clients = new Map(variants.map((v) => [v, client(url.toString(), v)]));
  try {
    const setup = new pg.Client({ connectionString: url.toString() });
    await setup.connect();
    await setup.query(
      "CREATE TABLE bench_rows (id int PRIMARY KEY, payload text); INSERT INTO bench_rows SELECT n, md5(n::text) FROM generate_series(1, 1000) n",
    );
    await setup.end();
    const results = new Map<Variant, RoundResult[]>(variants.map((v) => [v, []]));
    for (const v of variants) await round(clients.get(v)!.prisma, v); // warm-up: connections, plans, JIT
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of variants) results.get(v)!.push(await round(clients.get(v)!.prisma, v));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const base = median(results.get("startup")!.map((r) => r.perSecond));
    console.log(`${CONCURRENCY} concurrent, ${ROUNDS} rounds of ${SECONDS} s each (median round)`);
    console.log("| variant | statements/s | p50 ms | vs startup | client CPU µs/statement (min–max of rounds) |");
    console.log("|---|--:|--:|--:|--:|");
    for (const v of variants) {
      const perSecond = median(results.get(v)!.map((r) => r.perSecond));
      const p50 = median(results.get(v)!.map((r) => r.p50));
      const cpu = results.get(v)!.map((r) => r.cpuMicros);
      const range = `${Math.min(...cpu).toFixed(0)}–${Math.max(...cpu).toFixed(0)}`;
      console.log(
        `| ${v} | ${perSecond.toFixed(0)} | ${p50.toFixed(2)} | ${((100 * perSecond) / base).toFixed(0)}% | ${median(cpu).toFixed(0)} (${range}) |`,
      );
    }
  } finally {
    for (const { prisma, pool } of clients.values()) {
      await prisma.$disconnect();
      await pool.end();
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
