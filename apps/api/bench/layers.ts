// `pnpm --filter @todo/api bench:layers`: what each layer of the stack costs per request on this machine.
// GET one task on a skeleton built up a layer at a time (layers-server.ts), then on the API itself (built),
// all on one seeded PostgreSQL database. The figure is the server process's own CPU time per request
// (utime + stime from /proc, over the measured run), which a machine busy with other work inflates far less
// than it cuts throughput; req/s is printed too, but only the CPU column is comparable between runs here.
//   BENCH_SECONDS (5) per rung, BENCH_ROUNDS (2): every rung is run that many times, interleaved; the median counts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnApi } from "@todo/test-kit";
import pg from "pg";
import { runLoad } from "./load.js";
import { options } from "./options.js";
import { type Started, startApi } from "./processes.js";
import { createBenchDatabase, seed } from "./seeding.js";

const LAYERS = [
  "node:http + pg",
  "+ Express",
  "+ helmet, cors",
  "+ pino request log",
  "+ ts-rest, zod",
  "+ Prisma $queryRaw (instead of pg)",
  "+ Kysely on the pg pool (instead of $queryRaw)",
];
/** Beside the ladder (layers-server.ts, LAYER 7–9): the HTTP layer changed, each priced against its Express rung. */
const SWAPS = [
  { name: "Fastify 4 instead of Express (rung 1)", against: 1 },
  { name: "Fastify 4 + helmet, cors, pino, ts-rest, zod (rung 4)", against: 4 },
  { name: "Express, requests born with its prototypes (rung 4)", against: 4 },
];
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const TICKS_PER_SECOND = 100; // Linux USER_HZ

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function startLayer(databaseUrl: string, layer: number): Promise<Started> {
  const proc = spawnApi(
    { DATABASE_URL: databaseUrl, JWT_SECRET: options.jwtSecret, NODE_ENV: "production", LAYER: String(layer) },
    {
      main: "bench/layers-server.ts",
      nodeArgs: ["--import", "tsx"],
      keep: (l) => l.msg !== "request completed",
      logFile: join(options.workDir, `layer-${layer}.log`),
    },
  );
  const line = await proc.waitForLog((l) => l.msg === "layer listening", 60_000);
  return {
    process: proc,
    url: `http://127.0.0.1:${line.port}`,
    pid: proc.child.pid!,
    async stop() {
      proc.child.kill("SIGTERM");
      await proc.exited;
    },
  };
}

async function measure(target: Started, next: () => { method: "GET"; path: string; token: string }) {
  await runLoad({ url: target.url, connections: options.connections, seconds: 2, next });
  const before = cpuSeconds(target.pid);
  const result = await runLoad({ url: target.url, connections: options.connections, seconds, next });
  const cpu = cpuSeconds(target.pid) - before;
  if (Object.keys(result.failures).length > 0) throw new Error(`failures: ${JSON.stringify(result.failures)}`);
  return { rps: result.requestsPerSecond, cpuMicros: (cpu * 1e6) / result.ok };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main() {
  const database = await createBenchDatabase();
  const db = new pg.Client({ connectionString: database.url });
  try {
    const seeder = await startApi(database.url, 1, false);
    await db.connect();
    const { reader } = await seed(seeder.url, db);
    await seeder.stop();
    let i = 0;
    const next = () => ({
      method: "GET" as const,
      path: `/api/v1/${reader.id}/tasks/${reader.taskIds[i++ % reader.taskIds.length]}`,
      token: reader.token,
    });

    const names = [...LAYERS, "the API (node dist/main.js)", ...SWAPS.map((swap) => swap.name)];
    const api = LAYERS.length;
    const samples = names.map(() => ({ rps: [] as number[], cpu: [] as number[] }));
    for (let round = 0; round < rounds; round++) {
      for (let rung = 0; rung < names.length; rung++) {
        const target =
          rung === api
            ? await startApi(database.url, 1, false)
            : await startLayer(database.url, rung < api ? rung : rung - 1);
        try {
          const m = await measure(target, next);
          samples[rung]!.rps.push(m.rps);
          samples[rung]!.cpu.push(m.cpuMicros);
          console.error(
            `round ${round + 1}: ${names[rung]}: ${m.rps.toFixed(0)} req/s, ${m.cpuMicros.toFixed(0)} µs CPU/request`,
          );
        } finally {
          await target.stop();
        }
      }
    }
    console.log(
      `\n| GET one task, ${options.connections} connections, ${seconds} s × ${rounds} | CPU µs/request (median) | added | req/s (median) |`,
    );
    console.log("|---|--:|--:|--:|");
    let previous: number | undefined;
    for (let rung = 0; rung < names.length; rung++) {
      const cpu = median(samples[rung]!.cpu);
      const swap = SWAPS[rung - api - 1];
      const basis = swap ? median(samples[swap.against]!.cpu) : previous;
      const added =
        basis === undefined
          ? ""
          : `${cpu - basis >= 0 ? "+" : ""}${(cpu - basis).toFixed(0)}${swap ? ` (vs rung ${swap.against})` : ""}`;
      console.log(
        `| ${names[rung]} | ${cpu.toFixed(0)} (${samples[rung]!.cpu.map((v) => v.toFixed(0)).join(", ")}) | ${added} | ${median(samples[rung]!.rps).toFixed(0)} |`,
      );
      previous = cpu;
    }
  } finally {
    await db.end().catch(() => undefined);
    await database.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
