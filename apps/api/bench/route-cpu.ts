// `pnpm --filter @todo/api exec tsx bench/route-cpu.ts [api-dir …]`: CPU time per request, the API server's own and
// the database server's, on the list (20 tasks), get, create, toggle, update and delete routes, for one or more
// builds of apps/api (default: this one; pass another checkout's apps/api, built, to compare two versions). Each
// build gets a fresh database of its own, migrated by its own start-up. CPU time from /proc (utime + stime) is what
// a busy machine inflates far less than it cuts throughput, so two builds measured minutes apart on a loaded machine
// stay comparable. The database's share is every PostgreSQL process on this machine (its backends, WAL writer and
// checkpointer, plus backends that ended meanwhile): it needs the server on this machine and nothing else using it.
//   BENCH_SECONDS (5) per route and round, BENCH_ROUNDS (3, interleaved across builds; the median counts),
//   BENCH_ROUTES (list,get,create,toggle,update,delete).
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freshRequest, spawnApi } from "@todo/test-kit";
import { generateNKeysBetween } from "fractional-indexing";
import pg from "pg";
import { type RequestSpec, runLoad } from "./load.js";
import { API_DIR, options } from "./options.js";
import { createBenchDatabase } from "./seeding.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const dirs = process.argv.slice(2).length > 0 ? process.argv.slice(2).map((d) => resolve(d)) : [API_DIR];

/** utime + stime of a process, in seconds; with `children`, also of its children that ended (cutime + cstime). */
function cpuSeconds(pid: number, children = false): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const own = Number(fields[11]) + Number(fields[12]);
    return (children ? own + Number(fields[13]) + Number(fields[14]) : own) / 100;
  } catch {
    return 0; // it ended between the listing and the read
  }
}

/** Every PostgreSQL process of this machine (the postmaster with its ended children, and the living ones). */
function databaseCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
    } catch {
      continue;
    }
    if (comm !== "postgres") continue;
    const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
    const parentComm = (() => {
      try {
        return readFileSync(`/proc/${ppid}/comm`, "utf8").trim();
      } catch {
        return "";
      }
    })();
    // The postmaster counts its ended children; a backend counts itself.
    total += cpuSeconds(Number(entry), parentComm !== "postgres");
  }
  return total;
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
  const allRoutes = ["list", "get", "create", "toggle", "update", "delete"] as const;
  type Route = (typeof allRoutes)[number];
  const only = process.env.BENCH_ROUTES?.split(",").map((r) => r.trim());
  const routes = allRoutes.filter((r) => !only || only.includes(r));
  const samples = new Map<string, { api: number; db: number }[]>();
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  try {
    for (let round = 0; round < rounds; round++) {
      for (const b of builds) {
        const api = b.start();
        const url = (await api.waitUntilListening(1, 60_000)).toString();
        const pid = api.child.pid!;
        try {
          for (const route of routes) {
            // Delete: a supply of the writer's own tasks, more than a run can use up.
            const doomed =
              route === "delete"
                ? (
                    await b.db.query<{ id: string }>(
                      `INSERT INTO tasks (id, user_id, title, position, created_at, updated_at)
                       SELECT gen_random_uuid(), $1, 'Doomed ' || n, 'd' || lpad(n::text, 6, '0'), now(), now()
                       FROM generate_series(1, 40000) AS n RETURNING id`,
                      [b.writer.id],
                    )
                  ).rows.map((r) => r.id)
                : [];
            if (route === "delete") await b.db.query("VACUUM ANALYZE tasks");
            let i = 0;
            const reader = (suffix: string) => `/api/v1/${b.reader.id}/tasks${suffix}`;
            const requests: Record<Route, () => RequestSpec> = {
              list: () => ({ method: "GET", path: reader(""), token: b.reader.token }),
              get: () => ({ method: "GET", path: reader(`/${b.reader.taskIds[i++ % 20]}`), token: b.reader.token }),
              create: () => ({
                method: "POST",
                path: `/api/v1/${b.writer.id}/tasks`,
                token: b.writer.token,
                body: { title: `Task ${i++}`, description: "Created under load" },
              }),
              toggle: () => ({
                method: "PATCH",
                path: reader(`/${b.reader.taskIds[i++ % 20]}/complete`),
                token: b.reader.token,
              }),
              update: () => ({
                method: "PUT",
                path: reader(`/${b.reader.taskIds[i++ % 20]}`),
                token: b.reader.token,
                body: { title: `Task ${i}`, priority: "high" },
              }),
              delete: () => ({
                method: "DELETE",
                path: `/api/v1/${b.writer.id}/tasks/${doomed[i++ % doomed.length]}`,
                token: b.writer.token,
              }),
            };
            const next = requests[route];
            await runLoad({ url, connections: options.connections, seconds: 1, next });
            const before = { api: cpuSeconds(pid), db: databaseCpuSeconds() };
            const result = await runLoad({ url, connections: options.connections, seconds, next });
            const sample = {
              api: ((cpuSeconds(pid) - before.api) * 1e6) / result.ok,
              db: ((databaseCpuSeconds() - before.db) * 1e6) / result.ok,
            };
            const key = `${b.dir}|${route}`;
            samples.set(key, [...(samples.get(key) ?? []), sample]);
            console.error(
              `round ${round + 1} ${b.dir} ${route}: API ${sample.api.toFixed(0)} µs + database ${sample.db.toFixed(0)} µs ` +
                `CPU/request, ${result.requestsPerSecond.toFixed(0)} req/s${Object.keys(result.failures).length > 0 ? ` failures ${JSON.stringify(result.failures)}` : ""}`,
            );
            if (route === "delete") {
              // The rest of the supply goes, and its dead rows with it: the next round's creates would walk them.
              await b.db.query("DELETE FROM tasks WHERE user_id = $1", [b.writer.id]);
              await b.db.query("VACUUM ANALYZE tasks");
            }
          }
        } finally {
          api.child.kill("SIGTERM");
          await api.exited;
        }
      }
    }
    console.log("\nCPU µs per request, medians: API server + database server (each round's API figure in brackets)");
    console.log(`\n| build | ${routes.join(" | ")} |\n|---|${routes.map(() => "--:").join("|")}|`);
    for (const b of builds) {
      const cells = routes.map((r) => {
        const all = samples.get(`${b.dir}|${r}`)!;
        const api = median(all.map((x) => x.api));
        const db = median(all.map((x) => x.db));
        return `${api.toFixed(0)} + ${db.toFixed(0)} (${all.map((x) => x.api.toFixed(0)).join(", ")})`;
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
