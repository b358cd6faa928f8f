import { randomUUID } from "node:crypto";
import {
  type BalancedApis,
  haproxyAvailable,
  pgbouncerAvailable,
  startBalancedApis,
  TEST_JWT_SECRET,
} from "@todo/test-kit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const runs = inject("database") === "postgres" && pgbouncerAvailable() && haproxyAvailable();
const WORKERS = 6;
/** The loop's hard bound, whatever happens to the restarts. */
const MAX_LOAD_MS = 90_000;

interface Outcome {
  at: number;
  what: "create" | "read";
  status?: number;
  error?: string;
  body?: unknown;
}

describe.runIf(runs)("rolling restart behind HAProxy (health check on /readyz) and PgBouncer", () => {
  const databaseUrl = inject("databaseUrl")!;
  let cluster: BalancedApis;

  beforeAll(async () => {
    cluster = await startBalancedApis({
      databaseUrl,
      env: {
        JWT_SECRET: TEST_JWT_SECRET,
        BCRYPT_COST: "4",
        // /readyz fails this long before the listener closes: HAProxy checks every 200 ms and needs two
        // failures (each check may take up to 2 s on a loaded machine).
        SHUTDOWN_DELAY_MS: "2500",
        SHUTDOWN_GRACE_MS: "10000",
        LOG_LEVEL: "info",
      },
    });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it("restarts each process in turn under load: every request answered, every acknowledged write kept", async () => {
    const users = await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        const res = await fetch(`${cluster.url}/api/v1/auth/register`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: `rolling-${randomUUID()}@example.com`, password: "correct horse battery" }),
        });
        expect(res.status).toBe(201);
        const body = (await res.json()) as { user: { id: string }; accessToken: string };
        return { id: body.user.id, token: body.accessToken };
      }),
    );

    const outcomes: Outcome[] = [];
    const acknowledged = new Map<string, string>(); // task id -> owner
    let stopping = false;
    const started = performance.now();
    // Keep-alive connections to the balancer, as browsers and servers keep them.
    const worker = async (user: { id: string; token: string }, w: number) => {
      for (let i = 0; !stopping && performance.now() - started < MAX_LOAD_MS; i++) {
        const headers = { authorization: `Bearer ${user.token}`, "content-type": "application/json" };
        const create = await fetch(`${cluster.url}/api/v1/${user.id}/tasks`, {
          method: "POST",
          headers,
          body: JSON.stringify({ title: `worker ${w} task ${i}` }),
        }).then(
          async (res) => {
            const text = await res.text();
            return { status: res.status, body: (res.status === 201 ? JSON.parse(text) : { text }) as { id?: string } };
          },
          (err: Error) => ({ error: err.cause instanceof Error ? err.cause.message : err.message }),
        );
        outcomes.push({
          at: performance.now(),
          what: "create",
          ...("status" in create ? { status: create.status } : create),
        });
        if ("body" in create && create.status === 201 && create.body.id) acknowledged.set(create.body.id, user.id);
        const read = await fetch(`${cluster.url}/api/v1/${user.id}/tasks?limit=5`, { headers }).then(
          async (res) => {
            const text = await res.text();
            return { status: res.status, ...(res.status !== 200 && { body: text.slice(0, 200) }) };
          },
          (err: Error) => ({ error: err.cause instanceof Error ? err.cause.message : err.message }),
        );
        outcomes.push({ at: performance.now(), what: "read", ...read });
      }
    };
    const load = Promise.all(users.map((u, w) => worker(u, w)));

    const windows: { from: number; to: number }[] = [];
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      for (const slot of [0, 1]) {
        const from = performance.now();
        await cluster.restart(slot);
        windows.push({ from, to: performance.now() });
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      stopping = true;
      await load;
    }

    const failed = outcomes.filter((o) => o.error !== undefined || (o.status !== 200 && o.status !== 201));
    // The first few, if any (all would flood the report).
    expect(failed.slice(0, 5)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(MAX_LOAD_MS);
    // The load really ran through both restarts.
    for (const { from, to } of windows) {
      expect(outcomes.filter((o) => o.at > from && o.at < to).length).toBeGreaterThan(20);
    }
    // All four processes (two originals, two replacements) served, and each original drained and exited 0.
    expect(cluster.all).toHaveLength(4);
    for (const api of cluster.all) {
      expect(api.logs.filter((l) => l.msg === "request completed").length).toBeGreaterThan(0);
    }
    for (const api of cluster.all.slice(0, 2)) {
      expect(await api.exited).toBe(0);
      expect(api.logs.some((l) => l.msg === "shutdown complete")).toBe(true);
    }

    // No acknowledged write lost: every 201's task is in the database, with its owner.
    const creates = outcomes.filter((o) => o.what === "create").length;
    expect(acknowledged.size).toBe(creates);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ id: string; user_id: string }>(
        "SELECT id, user_id FROM tasks WHERE id = ANY($1::uuid[])",
        [[...acknowledged.keys()]],
      );
      expect(rows.length).toBe(acknowledged.size);
      for (const row of rows) expect(row.user_id).toBe(acknowledged.get(row.id));
    } finally {
      await db.end();
    }
  });
});
