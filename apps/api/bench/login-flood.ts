// `pnpm --filter @todo/api exec tsx bench/login-flood.ts`: what a login flood from one address does to
// everyone else's logins, with the hash queue bounded (the defaults) and, for comparison, unbounded.
//
// One API process (sources via tsx) on a fresh PostgreSQL database (BENCH_ADMIN_URL, default the local
// server; BENCH_DB_PREFIX names it, dropped at the end), BCRYPT_COST 12 unless BENCH_BCRYPT_COST says otherwise.
// Not PGlite: it runs on the API's own event loop and would be the bottleneck, not hashing. For BENCH_SECONDS (20), BENCH_FLOOD (100)
// connections send logins for unknown emails from one address, back to back, while the account's owner
// signs in once a second from another address. The per-address login limit is lifted so that only the hash
// queue stands between the flood and the hashing threads. Prints a Markdown table for docs/performance.md.
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import { spawnApi } from "@todo/test-kit";
import pg from "pg";

const cost = process.env.BENCH_BCRYPT_COST ?? "12";
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const floodConnections = Number(process.env.BENCH_FLOOD ?? 100);
const FLOODER = "198.51.100.7";
const OWNER_ADDRESS = "203.0.113.9";
const PASSWORD = "correct horse battery staple";
const adminUrl = process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const dbPrefix = process.env.BENCH_DB_PREFIX ?? "todo_bench";

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

interface Sample {
  status: number;
  ms: number;
}

async function login(url: string, email: string, password: string, ip: string): Promise<Sample> {
  const started = performance.now();
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({ email, password }),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const fmt = (ms: number) =>
  Number.isNaN(ms) ? "–" : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
const byStatus = (samples: Sample[]) => {
  const counts = new Map<number, number>();
  for (const s of samples) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${n}× ${status}`)
    .join(", ");
};

async function scenario(name: string, queueEnv: Record<string, string>) {
  const dbName = `${dbPrefix}_${randomUUID().slice(0, 8)}`;
  await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const api = spawnApi({
    DATABASE_URL: url.toString(),
    BCRYPT_COST: cost,
    TRUST_PROXY: "1",
    LOG_LEVEL: "info",
    JWT_SECRET: "bench-secret-that-is-at-least-32-bytes-long",
    RATE_LIMIT_LOGIN_PER_ADDRESS: "1000000",
    ...queueEnv,
  });
  try {
    const apiUrl = await api.waitUntilListening(1, 60_000);
    const email = `owner-${randomUUID()}@example.com`;
    const reg = await fetch(`${apiUrl}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "192.0.2.1" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    if (reg.status !== 201) throw new Error(`register: ${reg.status}`);
    await login(apiUrl, email, PASSWORD, OWNER_ADDRESS); // warms the dummy hash and the code paths

    const flood: Sample[] = [];
    const owner: Sample[] = [];
    const until = performance.now() + seconds * 1000;
    const flooders = Array.from({ length: floodConnections }, async () => {
      while (performance.now() < until) {
        flood.push(
          await login(apiUrl, `ghost-${randomUUID()}@example.com`, "wrong guess", FLOODER).catch(() => ({
            status: 0,
            ms: 0,
          })),
        );
      }
    });
    const owners = (async () => {
      await delay(1000);
      while (performance.now() < until) {
        owner.push(await login(apiUrl, email, PASSWORD, OWNER_ADDRESS));
        await delay(1000);
      }
    })();
    await Promise.all([...flooders, owners]);
    const hashed = flood.filter((s) => s.status === 401);
    const refused = flood.filter((s) => s.status === 503);
    return [
      name,
      byStatus(owner),
      `${fmt(
        percentile(
          owner.map((s) => s.ms),
          50,
        ),
      )} / ${fmt(Math.max(...owner.map((s) => s.ms)))}`,
      byStatus(flood),
      fmt(
        percentile(
          hashed.map((s) => s.ms),
          50,
        ),
      ),
      fmt(
        percentile(
          refused.map((s) => s.ms),
          50,
        ),
      ),
      (hashed.length / seconds).toFixed(1),
    ];
  } finally {
    api.kill();
    await api.exited;
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  }
}

const rows = [
  await scenario("bounded (defaults: HASH_QUEUE_MAX 32, per client 8)", {}),
  await scenario("unbounded (HASH_QUEUE_MAX 100000)", {
    HASH_QUEUE_MAX: "100000",
    HASH_QUEUE_MAX_PER_CLIENT: "100000",
  }),
];
console.log(
  `bcrypt cost ${cost}, ${floodConnections} flood connections from one address for ${seconds} s; load average before: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}\n`,
);
console.log(
  "| hash queue | owner's logins | owner p50 / max | flood answers | flood 401 p50 | flood 503 p50 | hashes/s |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
