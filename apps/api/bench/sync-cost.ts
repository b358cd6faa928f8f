// `pnpm --filter @todo/api exec tsx bench/sync-cost.ts`: what issue 19 adds to the routes it touches, through
// HTTP against one API process on PostgreSQL: the create route without and with an Idempotency-Key (a new key
// per request: claim, then keep the answer), and a single-task read and update with and without their
// conditional headers (ETags are always on). Variants alternate in short rounds, seconds apart, so a loaded
// machine affects both alike; the ratio is the figure that survives. BCRYPT_COST is 4: no route here hashes.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openMigratedDatabase } from "../src/db/migrated-database.js";
import { createLogger } from "../src/lib/logger.js";
import { spawnApi } from "../test/api-process.js";
import { type LoadResult, type RequestSpec, runLoad } from "./load.js";

const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

const name = `sync_cost_${Date.now()}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
const databaseUrl = url.toString();
const { db } = await openMigratedDatabase(
  { kind: "postgres", url: databaseUrl, poolMax: 1, connectionTimeoutMs: 5_000, statementTimeoutMs: 60_000 },
  createLogger("silent"),
);
await db.close();
const api = spawnApi(
  {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(48).toString("base64"),
    BCRYPT_COST: "4",
    LOG_LEVEL: "info",
    MAX_TASKS_PER_USER: "1000000",
  },
  { keep: (line) => line.msg !== "request completed" },
);
try {
  const base = await api.waitUntilListening(1, 120_000);
  const post = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(base + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
    return (await res.json()) as { id: string; user: { id: string }; accessToken: string };
  };
  const session = await post("/api/v1/auth/register", {
    email: `bench-${Date.now()}@b.ch`,
    password: "bench password",
  });
  const [userId, token] = [session.user.id as string, session.accessToken as string];
  // The two create variants each grow a user of their own, alike (a create counts the owner's tasks for the quota).
  const keyed = await post("/api/v1/auth/register", { email: `keyed-${Date.now()}@b.ch`, password: "bench password" });
  const [keyedId, keyedToken] = [keyed.user.id as string, keyed.accessToken as string];
  const taskIds: string[] = [];
  for (let i = 0; i < 50; i++) taskIds.push((await post(`/api/v1/${userId}/tasks`, { title: `seed ${i}` }, token)).id);

  let i = 0;
  const variants: Record<string, () => RequestSpec> = {
    create: () => ({ method: "POST", path: `/api/v1/${userId}/tasks`, token, body: { title: `t ${i++}` } }),
    "create + Idempotency-Key": () => ({
      method: "POST",
      path: `/api/v1/${keyedId}/tasks`,
      token: keyedToken,
      body: { title: `t ${i}` },
      headers: { "idempotency-key": `bench-${i++}` },
    }),
    get: () => ({ method: "GET", path: `/api/v1/${userId}/tasks/${taskIds[i++ % taskIds.length]}`, token }),
    "get + If-None-Match (miss)": () => ({
      method: "GET",
      path: `/api/v1/${userId}/tasks/${taskIds[i++ % taskIds.length]}`,
      token,
      headers: { "if-none-match": '"0"' },
    }),
    update: () => ({
      method: "PUT",
      path: `/api/v1/${userId}/tasks/${taskIds[i++ % taskIds.length]}`,
      token,
      body: { title: `u ${i}` },
    }),
    "update + If-Match *": () => ({
      method: "PUT",
      path: `/api/v1/${userId}/tasks/${taskIds[i++ % taskIds.length]}`,
      token,
      body: { title: `u ${i}` },
      headers: { "if-match": "*" },
    }),
  };
  const results: Record<string, LoadResult[]> = {};
  await runLoad({ url: base, connections: CONNECTIONS, seconds: 1, next: variants.get! }); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    // Each pair runs in both orders across rounds.
    const pairs = Object.entries(variants);
    const ordered = round % 2 ? pairs.flatMap((_, k) => (k % 2 ? [pairs[k]!, pairs[k - 1]!] : [])) : pairs;
    for (const [variant, next] of ordered) {
      const result = await runLoad({ url: base, connections: CONNECTIONS, seconds: SECONDS, next });
      results[variant] = [...(results[variant] ?? []), result];
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`${ROUNDS} rounds × ${SECONDS} s per variant, ${CONNECTIONS} connections, medians:`);
  console.log("| variant | req/s | p50 ms | p99 ms | non-2xx |");
  console.log("|---|---|---|---|---|");
  for (const [variant, runs] of Object.entries(results)) {
    const failures = runs.map((r) => Object.values(r.failures).reduce((a, b) => a + b, 0)).reduce((a, b) => a + b, 0);
    console.log(
      `| ${variant} | ${median(runs.map((r) => r.requestsPerSecond)).toFixed(0)} | ${median(runs.map((r) => r.p50)).toFixed(1)} | ${median(runs.map((r) => r.p99)).toFixed(1)} | ${failures} |`,
    );
  }
} finally {
  api.kill();
  await api.exited;
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
