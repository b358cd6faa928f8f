// `pnpm --filter @todo/api exec tsx bench/route-cpu.ts [api-dir …]`: the API server's own CPU time per request on the
// list (20 tasks), get and create routes, for one or more builds of apps/api (default: this one; pass another
// checkout's apps/api, built, to compare two versions). Each build gets a fresh database of its own, migrated by
// its own start-up. CPU time from /proc (utime + stime of the server process) is what a busy machine inflates far
// less than it cuts throughput, so two builds measured minutes apart on a loaded machine stay comparable.
//   BENCH_SECONDS (5) per route and round, BENCH_ROUNDS (3, interleaved across builds; the median counts).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freshRequest, spawnApi } from "@todo/test-kit";
import { generateNKeysBetween } from "fractional-indexing";
import pg from "pg";
import { runLoad } from "./load.js";
import { API_DIR, options } from "./options.js";
import { createBenchDatabase } from "./seeding.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const dirs = process.argv.slice(2).length > 0 ? process.argv.slice(2).map((d) => resolve(d)) : [API_DIR];

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function prepare(dir: string) {
  const database = await createBenchDatabase();
  const env = {
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    JWT_SECRET: options.jwtSecret,
    LOG_LEVEL: "info",
    BCRYPT_COST: "4",
    // The writer creates thousands of tasks a round: a quota reached mid-run would turn creates into 409s.
    MAX_TASKS_PER_USER: "10000000",
  };
  const start = () =>
    spawnApi(env, {
      cwd: dir,
      main: "dist/main.js",
      keep: (l) => l.msg !== "request completed",
      logFile: join(options.workDir, "route-cpu.log"),
    });
  const first = start();
  const url = (await first.waitUntilListening(1, 60_000)).toString();
  const users = [];
  for (const name of ["reader", "writer"]) {
    const res = await freshRequest(url, "/api/v1/auth/register", {
      method: "POST",
      body: { email: `${name}-${Date.now()}@bench.example`, password: "correct horse battery" },
    });
    users.push({ id: res.body.user.id as string, token: res.body.accessToken as string });
  }
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const hasPosition =
    (await db.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'tasks' AND column_name = 'position'"))
      .rowCount === 1;
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO tasks (id, user_id, title, description, completed, created_at, updated_at${hasPosition ? ", position" : ""})
     SELECT gen_random_uuid(), $1, 'Task ' || n, 'Notes ' || n, n % 3 = 0, now() - (n || ' seconds')::interval, now()
       ${hasPosition ? ", p" : ""}
     FROM unnest($2::text[]) WITH ORDINALITY AS u(p, n) RETURNING id`,
    [users[0]!.id, generateNKeysBetween(null, null, 20)],
  );
  await db.query("VACUUM ANALYZE");
  return { database, db, start, first, reader: { ...users[0]!, taskIds: rows.map((r) => r.id) }, writer: users[1]! };
}

async function main() {
  const builds = [];
  for (const dir of dirs) {
    const b = await prepare(dir);
    b.first.child.kill("SIGTERM");
    await b.first.exited;
    builds.push({ dir, ...b });
  }
  const routes = ["list", "get", "create"] as const;
  const samples = new Map<string, number[]>();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const b of builds) {
        const api = b.start();
        const url = (await api.waitUntilListening(1, 60_000)).toString();
        const pid = api.child.pid!;
        try {
          for (const route of routes) {
            let i = 0;
            const next = () =>
              route === "list"
                ? { method: "GET" as const, path: `/api/v1/${b.reader.id}/tasks`, token: b.reader.token }
                : route === "get"
                  ? {
                      method: "GET" as const,
                      path: `/api/v1/${b.reader.id}/tasks/${b.reader.taskIds[i++ % 20]}`,
                      token: b.reader.token,
                    }
                  : {
                      method: "POST" as const,
                      path: `/api/v1/${b.writer.id}/tasks`,
                      token: b.writer.token,
                      body: { title: `Task ${i++}`, description: "Created under load" },
                    };
            await runLoad({ url, connections: options.connections, seconds: 1, next });
            const before = cpuSeconds(pid);
            const result = await runLoad({ url, connections: options.connections, seconds, next });
            const micros = ((cpuSeconds(pid) - before) * 1e6) / result.ok;
            const key = `${b.dir}|${route}`;
            samples.set(key, [...(samples.get(key) ?? []), micros]);
            console.error(
              `round ${round + 1} ${b.dir} ${route}: ${micros.toFixed(0)} µs CPU/request, ${result.requestsPerSecond.toFixed(0)} req/s`,
            );
          }
        } finally {
          api.child.kill("SIGTERM");
          await api.exited;
        }
      }
    }
    console.log(`\n| build | ${routes.join(" | ")} |\n|---|${routes.map(() => "--:").join("|")}|`);
    for (const b of builds) {
      const cells = routes.map((r) => {
        const v = [...samples.get(`${b.dir}|${r}`)!].sort((x, y) => x - y);
        return `${v[Math.floor(v.length / 2)]!.toFixed(0)} (${samples
          .get(`${b.dir}|${r}`)!
          .map((x) => x.toFixed(0))
          .join(", ")})`;
      });
      console.log(`| ${b.dir} | ${cells.join(" | ")} |`);
    }
  } finally {
    for (const b of builds) {
      await b.db.end();
      await b.database.drop();
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
