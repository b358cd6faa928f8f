// `pnpm --filter @todo/api exec tsx bench/account-export.ts [tasks...]`: what GET /auth/me/export costs the
// server in memory. For each task count: a fresh PostgreSQL database, the API as a process of its own, one
// account filled by SQL, then the export downloaded (and discarded) while the server's resident set size
// (VmRSS from /proc) is sampled every 10 ms. A streamed export holds
// one batch at a time, so the peak above the idle process stays flat as the account grows; a buffered one
// would grow with the body. Figures recorded in docs/accounts.md.
//   BENCH_ADMIN_URL  where to create the databases (postgres://postgres@127.0.0.1:5432/postgres)
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { freshRequest, spawnApi } from "@todo/test-kit";
import pg from "pg";

const adminUrl = process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const counts = process.argv.slice(2).map(Number);
const taskCounts = counts.length > 0 ? counts : [1_000, 10_000, 50_000];

const rssMiB = (pid: number): number => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) / 1024;
};

/** Downloads the export, discarding it as it comes; returns its size in bytes. */
const download = (url: string, token: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(`${url}/api/v1/auth/me/export`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on("end", () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`status ${res.statusCode}`))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
console.log("| tasks | export size | idle RSS | peak RSS during export | peak - idle | time |");
console.log("| ----: | ----------: | -------: | ---------------------: | ----------: | ---: |");
for (const tasks of taskCounts) {
  const name = `todo_bench_export_${randomBytes(4).toString("hex")}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${name}`;
  const api = spawnApi({
    DATABASE_URL: databaseUrl.toString(),
    JWT_SECRET: "bench-secret-that-is-at-least-32-bytes-long",
    BCRYPT_COST: "4",
    LOG_LEVEL: "info",
  });
  try {
    const url = await api.waitUntilListening(1, 120_000);
    const signUp = await freshRequest(url, "/api/v1/auth/register", {
      method: "POST",
      body: { email: `export-${name}@example.com`, password: "correct horse battery" },
    });
    const { user, accessToken } = signUp.body as { user: { id: string }; accessToken: string };
    const db = new pg.Client({ connectionString: databaseUrl.toString() });
    await db.connect();
    await db.query(
      `INSERT INTO tasks (id, user_id, title, description, completed, created_at, updated_at, position)
       SELECT gen_random_uuid(), $1, 'task number ' || i, repeat('d', 200), i % 3 = 0,
         now() - make_interval(secs => $2 - i), now(), 'b' || lpad(i::text, 6, '0')
       FROM generate_series(1, $2) AS i`,
      [user.id, tasks],
    );
    await db.end();
    // Warm up (first-use compilation, pool connections), then let the heap settle before the idle figure.
    await download(url, accessToken);
    await new Promise((r) => setTimeout(r, 1_000));
    const pid = api.child.pid!;
    const idle = rssMiB(pid);
    let peak = idle;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMiB(pid));
    }, 10);
    const started = performance.now();
    const bytes = await download(url, accessToken);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, rssMiB(pid));
    console.log(
      `| ${tasks.toLocaleString("en")} | ${(bytes / 1024 / 1024).toFixed(1)} MiB | ${idle.toFixed(0)} MiB | ` +
        `${peak.toFixed(0)} MiB | ${(peak - idle).toFixed(1)} MiB | ${seconds.toFixed(2)} s |`,
    );
  } finally {
    api.kill();
    await api.exited;
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
await admin.end();
