// `pnpm bench`: the API as production runs it (built, `node dist/main.js`, NODE_ENV=production) on a fresh
// PostgreSQL database, against the bare node:http + pg floor (bench/floor.ts), with autocannon.
//
//   pnpm bench                  full run (10 s per scenario), figures written into docs/performance.md
//   pnpm bench --quick          1 s per scenario, nothing written: a smoke test of the whole pipeline
//   BENCH_SECONDS, BENCH_CONNECTIONS (32), BENCH_LOGIN_CONNECTIONS (8, the logins of the mixed run),
//   BENCH_ONLY=list,get,...     scenarios to run;  BENCH_TARGETS=floor,api1,api2  what to run them on
//   BENCH_CPU_PROF=dir          writes --cpu-prof profiles of the single API process (and of the floor) into dir
//   BENCH_WARMUP=seconds        load on list, get and toggle before measuring each target (2; quick 0.5)
//   BENCH_API_NODE_ARGS="…"     extra node flags for the API process (experiments, e.g. V8 heap settings)
//   BENCH_ADMIN_URL             where to create the database (postgres://postgres@127.0.0.1:5432/postgres)
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { type LoadResult, type RequestSpec, runLoad } from "./load.js";

const API_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const REPO_ROOT = join(API_DIR, "../..");
const DOC = join(REPO_ROOT, "docs/performance.md");

const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
const seconds = Number(process.env.BENCH_SECONDS ?? (quick ? 1 : 10));
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const loginConnections = Number(process.env.BENCH_LOGIN_CONNECTIONS ?? 8);
const only = process.env.BENCH_ONLY?.split(",");
const targets = (process.env.BENCH_TARGETS ?? "floor,api1,api2").split(",");
const adminUrl = process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const cpuProfDir = process.env.BENCH_CPU_PROF;
const apiNodeArgs = process.env.BENCH_API_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
const warmUpSeconds = Number(process.env.BENCH_WARMUP ?? (quick ? 0.5 : 2));
const writeDocs = !quick && !only && !process.argv.includes("--no-docs");

const PASSWORD = "correct horse battery staple";
const LOGIN_USERS = 8;
const UPDATE_TASKS = 2_000;
const jwtSecret = randomBytes(48).toString("base64");
const workDir = mkdtempSync(join(tmpdir(), "todo-bench-"));

type Scenario = "list" | "get" | "create" | "update" | "toggle" | "delete" | "login" | "mixed";
const TASK_SCENARIOS: Scenario[] = ["list", "get", "create", "update", "toggle", "delete"];
const FLOOR_SCENARIOS: Scenario[] = ["list", "get", "create", "toggle"];
const wanted = (s: Scenario) => !only || only.includes(s);

interface Row {
  target: string;
  scenario: string;
  result: LoadResult;
  floor?: LoadResult;
  note?: string;
}

// ---------------------------------------------------------------------------------------------------------

interface Started {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Starts a server process on a port of its choosing; `ready` must capture its URL or port from its log. */
async function startProcess(label: string, args: string[], env: Record<string, string>, ready: RegExp) {
  const logPath = join(workDir, `${label}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(process.execPath, args, {
    cwd: API_DIR,
    env: { PATH: process.env.PATH ?? "", ...env, PORT: "0", HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const url = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = ready.exec(seen);
      if (match?.[1]) {
        child.stdout!.off("data", onData);
        resolve(/^\d+$/.test(match[1]) ? `http://127.0.0.1:${match[1]}` : match[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${label} exited (${code}) before listening; see ${logPath}`)));
  });
  const started: Started = {
    child,
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
  return started;
}

function apiEnv(databaseUrl: string, workers: number): Record<string, string> {
  return {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    JWT_SECRET: jwtSecret,
    WEB_CONCURRENCY: String(workers),
    // As in production: one line per request.
    LOG_LEVEL: "info",
    // The limits guard against guessing; here every login is right, and from one address, so they would only
    // turn the run into 429s. BCRYPT_COST stays at its default (12).
    RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS: "1000000",
    RATE_LIMIT_LOGIN_PER_ACCOUNT: "1000000",
    RATE_LIMIT_LOGIN_PER_ADDRESS: "1000000",
    // Likewise the hash queue's share per client address: this run measures throughput, not a flood
    // (bench/login-flood.ts does).
    HASH_QUEUE_MAX: "1000000",
    HASH_QUEUE_MAX_PER_CLIENT: "1000000",
    RATE_LIMIT_REGISTER_PER_ADDRESS: "1000000",
    RATE_LIMIT_REFRESH_PER_ADDRESS: "1000000",
  };
}

async function startApi(databaseUrl: string, workers: number, profile: boolean): Promise<Started> {
  const args = [
    ...apiNodeArgs,
    ...(profile && cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : []),
    "dist/main.js",
  ];
  const api = await startProcess(
    `api-${workers}`,
    args,
    apiEnv(databaseUrl, workers),
    /"url":"([^"]+)"[^\n]*Todo API listening/,
  );
  if (workers > 1) await waitForWorkers(workers);
  return api;
}

async function waitForWorkers(workers: number) {
  const logPath = join(workDir, `api-${workers}.log`);
  for (let i = 0; i < 200; i++) {
    const count = (readFileSync(logPath, "utf8").match(/Todo API listening/g) ?? []).length;
    if (count >= workers) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`workers did not all start; see ${logPath}`);
}

// ---------------------------------------------------------------------------------------------------------

interface Fixture {
  reader: { id: string; token: string; taskIds: string[] };
  writer: { id: string; token: string };
  updater: { id: string; token: string; taskIds: string[] };
  deleter: { id: string; token: string };
  logins: string[];
}

async function post(url: string, path: string, body: unknown, token?: string) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ user: { id: string; email: string }; accessToken: string }>;
}

async function seed(api: Started, db: pg.Client): Promise<Fixture> {
  const register = async (name: string) => {
    const session = await post(api.url, "/api/v1/auth/register", {
      email: `${name}-${randomBytes(4).toString("hex")}@bench.example`,
      password: PASSWORD,
    });
    return { id: session.user.id as string, token: session.accessToken as string, email: session.user.email };
  };
  const [reader, writer, updater, deleter, ...logins] = await Promise.all(
    ["reader", "writer", "updater", "deleter", ...Array.from({ length: LOGIN_USERS }, (_, i) => `login${i}`)].map(
      register,
    ),
  );
  const insertTasks = async (userId: string, count: number) => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO tasks (id, user_id, title, description, completed, created_at, updated_at)
       SELECT gen_random_uuid(), $1, 'Task ' || n, CASE WHEN n % 2 = 0 THEN 'Some notes about task ' || n END,
              n % 3 = 0, now() - (n || ' seconds')::interval, now()
       FROM generate_series(1, $2) AS n RETURNING id`,
      [userId, count],
    );
    return rows.map((r) => r.id);
  };
  const readerTasks = await insertTasks(reader!.id, 20);
  const updaterTasks = await insertTasks(updater!.id, UPDATE_TASKS);
  await db.query("VACUUM ANALYZE");
  return {
    reader: { ...reader!, taskIds: readerTasks },
    writer: writer!,
    updater: { ...updater!, taskIds: updaterTasks },
    deleter: deleter!,
    logins: logins.map((l) => l.email),
  };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Endless request generators, one per scenario. */
function requestsFor(scenario: Scenario, f: Fixture, deletable: string[]): () => RequestSpec {
  let i = 0;
  const cycle = <T>(items: T[]) => items[i++ % items.length]!;
  switch (scenario) {
    case "list":
    case "mixed":
      return () => ({ method: "GET", path: `/api/v1/${f.reader.id}/tasks`, token: f.reader.token });
    case "get":
      return () => ({
        method: "GET",
        path: `/api/v1/${f.reader.id}/tasks/${cycle(f.reader.taskIds)}`,
        token: f.reader.token,
      });
    case "create":
      return () => ({
        method: "POST",
        path: `/api/v1/${f.writer.id}/tasks`,
        token: f.writer.token,
        body: { title: `Benchmark task ${i++}`, description: "Created under load" },
      });
    case "update":
      return () => ({
        method: "PUT",
        path: `/api/v1/${f.updater.id}/tasks/${cycle(f.updater.taskIds)}`,
        token: f.updater.token,
        body: { title: `Renamed ${i}`, completed: i % 2 === 0 },
      });
    case "toggle":
      return () => ({
        method: "PATCH",
        path: `/api/v1/${f.updater.id}/tasks/${cycle(f.updater.taskIds)}/complete`,
        token: f.updater.token,
      });
    case "delete":
      // Each request deletes a task of its own; once they run out, requests would be 404s (and counted).
      return () => ({
        method: "DELETE",
        path: `/api/v1/${f.deleter.id}/tasks/${deletable[i++]}`,
        token: f.deleter.token,
      });
    case "login":
      return () => ({
        method: "POST",
        path: "/api/v1/auth/login",
        body: { email: cycle(f.logins), password: PASSWORD },
      });
  }
}

// ---------------------------------------------------------------------------------------------------------

function bcryptRate(): number {
  const out = execFileSync(process.execPath, ["--import", "tsx", "bench/bcrypt-rate.ts"], {
    cwd: API_DIR,
    env: { PATH: process.env.PATH ?? "", BENCH_SECONDS: String(Math.max(3, seconds)) },
    encoding: "utf8",
  });
  return (JSON.parse(out.trim().split("\n").pop()!) as { hashesPerSecond: number }).hashesPerSecond;
}

async function warmUp(target: Started, f: Fixture) {
  if (warmUpSeconds <= 0) return;
  for (const scenario of ["list", "get", "toggle"] as const) {
    await runLoad({ url: target.url, connections, seconds: warmUpSeconds, next: requestsFor(scenario, f, []) });
  }
}

const pause = () => new Promise((r) => setTimeout(r, quick ? 200 : 1_000));
/** After a login run the server still hashes for requests autocannon gave up waiting on: let it finish. */
const settleLogins = (bcryptPerSecond: number) =>
  new Promise((r) => setTimeout(r, 1_000 + (1_000 * connections) / bcryptPerSecond));

function startFloor(databaseUrl: string): Promise<Started> {
  return startProcess(
    "floor",
    [...(cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}/floor`] : []), "--import", "tsx", "bench/floor.ts"],
    { DATABASE_URL: databaseUrl, JWT_SECRET: jwtSecret, NODE_ENV: "production" },
    /"floor listening","port":(\d+)/,
  );
}

/**
 * One API configuration, scenario by scenario. The floor (when wanted) runs each of its routes just before
 * the API's, both processes up and the idle one costing nothing, so a ratio compares two runs made seconds
 * apart under the same conditions rather than minutes apart.
 */
async function benchApi(
  databaseUrl: string,
  db: pg.Client,
  f: Fixture,
  workers: number,
  rows: Row[],
  bcryptPerSecond: number,
) {
  const target = `api ×${workers}`;
  const floor = targets.includes("floor") ? await startFloor(databaseUrl) : undefined;
  const api = await startApi(databaseUrl, workers, workers === 1);
  const watchPids = [api.child.pid!];
  const record = (row: Row) => {
    rows.push(row);
    console.log(format(row));
  };
  try {
    if (floor) await warmUp(floor, f);
    await warmUp(api, f);
    for (const scenario of TASK_SCENARIOS.filter(wanted)) {
      let floorResult: LoadResult | undefined;
      if (floor && FLOOR_SCENARIOS.includes(scenario)) {
        await pause();
        floorResult = await runLoad({
          url: floor.url,
          connections,
          seconds,
          next: requestsFor(scenario, f, []),
          watchPids: [floor.child.pid!],
        });
        record({ target: `floor (before ${target})`, scenario, result: floorResult });
      }
      let deletable: string[] = [];
      if (scenario === "delete") {
        const { rows: created } = await db.query<{ id: string }>(
          `INSERT INTO tasks (id, user_id, title, created_at, updated_at)
           SELECT gen_random_uuid(), $1, 'Doomed ' || n, now(), now() FROM generate_series(1, $2) AS n RETURNING id`,
          [f.deleter.id, seconds * 12_000 * workers],
        );
        // As tasks are in real life: deleted long after they were written (vacuumed, with hint bits set), and
        // not in the order of one bulk insert. Deleting fresh rows of one big insert in insertion order runs
        // ten times slower in PostgreSQL itself (concurrent deletes on the same heap pages).
        await db.query("VACUUM ANALYZE tasks");
        deletable = shuffle(created.map((r) => r.id));
      }
      await pause();
      const result = await runLoad({
        url: api.url,
        connections,
        seconds,
        next: requestsFor(scenario, f, deletable),
        watchPids,
      });
      record({ target, scenario, result, floor: floorResult });
    }
    if (wanted("login")) {
      await pause();
      const result = await runLoad({
        url: api.url,
        connections,
        seconds,
        next: requestsFor("login", f, []),
        watchPids,
      });
      record({
        target,
        scenario: "login",
        result,
        note: `${((100 * result.requestsPerSecond) / bcryptPerSecond).toFixed(0)}% of bcrypt alone (${bcryptPerSecond.toFixed(1)}/s)`,
      });
      await settleLogins(bcryptPerSecond);
    }
    if (wanted("mixed")) {
      await pause();
      const reads = await runLoad({ url: api.url, connections, seconds, next: requestsFor("list", f, []), watchPids });
      record({ target, scenario: "list, just before mixed", result: reads });
      await pause();
      const [mixedReads, mixedLogins] = await Promise.all([
        runLoad({ url: api.url, connections, seconds, next: requestsFor("mixed", f, []), watchPids }),
        runLoad({ url: api.url, connections: loginConnections, seconds, next: requestsFor("login", f, []) }),
      ]);
      record({
        target,
        scenario: "mixed: list",
        result: mixedReads,
        note: `p95 ×${(mixedReads.p95 / reads.p95).toFixed(2)} of list alone just before`,
      });
      record({
        target,
        scenario: "mixed: login",
        result: mixedLogins,
        note: `${loginConnections} connections, alongside the list above`,
      });
      await settleLogins(bcryptPerSecond);
    }
  } finally {
    await api.stop();
    await floor?.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : "–");

function format(row: Row): string {
  const { result: r, floor } = row;
  const failures = Object.entries(r.failures)
    .map(([k, v]) => `${k}:${v}`)
    .join(" ");
  const ratio = floor ? `${((100 * r.requestsPerSecond) / floor.requestsPerSecond).toFixed(0)}%` : "";
  return `| ${row.scenario} | ${row.target} | ${r.requestsPerSecond.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ratio} | ${r.peakRssMiB ? r.peakRssMiB.toFixed(0) : ""} | ${failures || "0"} | ${row.note ?? ""} |`;
}

const HEADER = [
  "| scenario | target | req/s | p50 ms | p95 ms | p99 ms | vs floor | peak RSS MiB | non-2xx | note |",
  "|---|---|--:|--:|--:|--:|--:|--:|---|---|",
];

function verdicts(rows: Row[], bcryptPerSecond: number): string[] {
  const lines: string[] = [];
  const single = rows.filter((r) => r.target === "api ×1");
  for (const row of single.filter((r) => TASK_SCENARIOS.includes(r.scenario as Scenario))) {
    const ratio = row.floor ? row.result.requestsPerSecond / row.floor.requestsPerSecond : undefined;
    const okRatio = ratio === undefined || ratio >= 0.7;
    const okP99 = row.result.p99 < 100;
    lines.push(
      `- ${okRatio && okP99 ? "met" : "NOT met"}: ${row.scenario}: ${ratio === undefined ? "no floor route" : `${(100 * ratio).toFixed(0)}% of floor (≥70%)`}, p99 ${ms(row.result.p99)} ms (<100)`,
    );
  }
  const login = single.find((r) => r.scenario === "login");
  if (login) {
    const share = login.result.requestsPerSecond / bcryptPerSecond;
    lines.push(
      `- ${share >= 0.8 ? "met" : "NOT met"}: login: ${login.result.requestsPerSecond.toFixed(1)}/s = ${(100 * share).toFixed(0)}% of bcrypt alone (${bcryptPerSecond.toFixed(1)}/s; ≥80%)`,
    );
  }
  const mixed = single.find((r) => r.scenario === "mixed: list");
  const mixedRatio = mixed?.note ? Number(/×([\d.]+)/.exec(mixed.note)?.[1]) : undefined;
  if (mixedRatio !== undefined) {
    lines.push(`- ${mixedRatio <= 2 ? "met" : "NOT met"}: list p95 with logins running ×${mixedRatio} of without (≤2)`);
  }
  return lines;
}

function machine(pgVersion: string, loadBefore: number[]): string {
  const cpu = cpus();
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(" ");
  return [
    `- CPU: ${cpu.length} × ${cpu[0]?.model ?? "unknown"}; RAM ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `- Node ${process.version}; ${pgVersion.split(" on ")[0]} on the same machine (default settings)`,
    `- load generator: autocannon in the same machine (it competes for the same cores), ${connections} connections, ${seconds} s per scenario`,
    `- load average (1/5/15 min) before the run: ${load(loadBefore)}; after: ${load(loadavg())} (anything else running skews the figures)`,
  ].join("\n");
}

async function main() {
  if (!existsSync(join(API_DIR, "dist/main.js")))
    throw new Error("dist/main.js missing: run `pnpm --filter @todo/api build`");
  const name = `todo_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const pgVersion = (await admin.query<{ version: string }>("SELECT version()")).rows[0]!.version;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  console.log(`database ${name}; logs in ${workDir}`);

  const loadBefore = loadavg();
  console.log(`load average before: ${loadBefore.map((v) => v.toFixed(2)).join(" ")}`);
  const rows: Row[] = [];
  const db = new pg.Client({ connectionString: databaseUrl });
  try {
    console.log("measuring bcrypt alone…");
    const bcryptPerSecond = bcryptRate();
    console.log(`bcrypt cost 12: ${bcryptPerSecond.toFixed(1)} comparisons/s on the thread pool`);

    // The first start applies the migrations; seeding goes through the API itself (registration).
    const seeder = await startApi(databaseUrl, 1, false);
    await db.connect();
    const fixture = await seed(seeder, db);
    await seeder.stop();

    console.log(["", ...HEADER].join("\n"));
    for (const workers of [1, 2]) {
      if (targets.includes(`api${workers}`)) await benchApi(databaseUrl, db, fixture, workers, rows, bcryptPerSecond);
    }

    const verdict = verdicts(rows, bcryptPerSecond);
    console.log(["", "Targets (single API process):", ...verdict].join("\n"));
    // Figures are reported, never enforced; but a run where requests failed measured something else.
    const failed = rows.filter((r) => Object.keys(r.result.failures).length > 0);
    if (failed.length > 0) {
      console.error(`\nrequests failed in: ${failed.map((r) => `${r.scenario} on ${r.target}`).join(", ")}`);
      process.exitCode = 1;
    }
    if (writeDocs) {
      const block = [
        "<!-- bench:results:start -->",
        `Run of ${new Date().toISOString().slice(0, 10)} (\`pnpm bench\`):`,
        "",
        machine(pgVersion, loadBefore),
        `- bcrypt alone (cost 12, thread pool of 4): ${bcryptPerSecond.toFixed(1)} comparisons/s`,
        "",
        ...HEADER,
        ...rows.map(format),
        "",
        "Targets (single API process):",
        "",
        ...verdict,
        "<!-- bench:results:end -->",
      ].join("\n");
      const doc = readFileSync(DOC, "utf8");
      writeFileSync(DOC, doc.replace(/<!-- bench:results:start -->[\s\S]*<!-- bench:results:end -->/, block));
      // The project's formatter lays out Markdown tables too; leave the document as it would.
      execFileSync(join(REPO_ROOT, "node_modules/.bin/biome"), ["format", "--write", DOC], { cwd: REPO_ROOT });
      console.log(`\nwritten to ${DOC}`);
    }
  } finally {
    await db.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
