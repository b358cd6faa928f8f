import { randomBytes, randomUUID } from "node:crypto";
import {
  freshRequest,
  type PgBouncer,
  pgbouncerAvailable,
  spawnApi,
  startPgBouncer,
  TEST_JWT_SECRET,
} from "@todo/test-kit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../lib/logger.js";
import { openDatabase } from "./database.js";
import { openMigratedDatabase } from "./migrated-database.js";

// PgBouncer sits in front of a PostgreSQL server; PGlite has no wire protocol to pool.
const runs = inject("database") === "postgres" && pgbouncerAvailable();
/** The schema engine's lock, as Prisma's native engine takes it (see schema-engine.ts). */
const MIGRATION_LOCK = 72707369;
const logger = createLogger("silent");

describe.runIf(runs)("PgBouncer in transaction mode with its default settings", () => {
  const databaseUrl = inject("databaseUrl")!;
  let bouncer: PgBouncer;
  const scratch: string[] = [];

  beforeAll(async () => {
    bouncer = await startPgBouncer({ serverUrl: databaseUrl });
  });
  afterAll(async () => {
    await bouncer?.stop();
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    for (const name of scratch) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  /** An empty database of this test's own, on the same server: its URL direct and through PgBouncer. */
  async function emptyDatabase() {
    const name = `todo_bouncer_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    scratch.push(name);
    const direct = new URL(databaseUrl);
    direct.pathname = `/${name}`;
    return { name, direct: direct.toString(), pooled: bouncer.through(direct.toString()) };
  }

  async function migrationLocks(directUrl: string): Promise<number> {
    const client = new pg.Client({ connectionString: directUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND objid = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [MIGRATION_LOCK],
      );
      return rows[0]!.n;
    } finally {
      await client.end();
    }
  }

  it("refuses statement_timeout as a startup parameter, which the API therefore never sends", async () => {
    const client = new pg.Client({ connectionString: bouncer.url, statement_timeout: 1_000 });
    client.on("error", () => undefined);
    await expect(client.connect()).rejects.toThrow(/unsupported startup parameter: statement_timeout/);

    // The API's pool connects (application_name is the one startup parameter it sends) and serves.
    const db = await openDatabase(
      { kind: "postgres", url: bouncer.url, poolMax: 4, connectionTimeoutMs: 5_000, statementTimeoutMs: 5_000 },
      logger,
    );
    try {
      await db.ping(5_000);
      expect(await db.prisma.user.count()).toBeGreaterThanOrEqual(0);
    } finally {
      await db.close();
    }
  });

  it("loses named prepared statements between transactions (PgBouncer 1.18), so the API's stay unnamed", async () => {
    const client = new pg.Client({ connectionString: bouncer.url });
    const other = new pg.Client({ connectionString: bouncer.url });
    await client.connect();
    await other.connect();
    try {
      await client.query({ name: "probe", text: "SELECT $1::int AS n", values: [1] });
      // The server connection that parsed "probe" is the most recently used one; another client takes it.
      await other.query("BEGIN");
      await other.query("SELECT 1");
      // pg now sends only Bind/Execute for "probe", to whichever server connection is free: not that one.
      await expect(client.query({ name: "probe", text: "SELECT $1::int AS n", values: [2] })).rejects.toThrow(
        /prepared statement "probe" does not exist/,
      );
      // Unnamed statements are parsed, bound and run in one go, inside one transaction: always fine.
      expect((await client.query("SELECT $1::int AS n", [3])).rows).toEqual([{ n: 3 }]);
    } finally {
      await other.query("ROLLBACK").catch(() => undefined);
      await other.end();
      await client.end();
    }
  });

  it("bounds every statement by DB_STATEMENT_TIMEOUT_MS on the server, and leaves no session state behind", async () => {
    const db = await openDatabase(
      { kind: "postgres", url: bouncer.url, poolMax: 2, connectionTimeoutMs: 5_000, statementTimeoutMs: 400 },
      logger,
    );
    const observer = new pg.Client({ connectionString: databaseUrl });
    await observer.connect();
    try {
      const tag = `sleeper_${randomBytes(4).toString("hex")}`;
      const started = performance.now();
      // A statement outside any transaction: the client-side deadline cancels it on the server.
      const error: unknown = await db.prisma.$queryRawUnsafe(`SELECT pg_sleep(30) AS ${tag}`).catch((e: unknown) => e);
      const elapsed = performance.now() - started;
      expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).toMatch(/57014|cancel/i);
      expect(elapsed).toBeGreaterThanOrEqual(350);
      expect(elapsed).toBeLessThan(2_000);
      // Cancelled on the server, not merely abandoned by the client.
      const running = await observer.query(
        "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()",
        [`%${tag}%`],
      );
      expect(running.rows).toEqual([]);

      // Inside a transaction the server enforces it itself (SET LOCAL, gone with the transaction).
      const inside = await db.prisma.$transaction(
        (tx) => tx.$queryRaw<{ timeout: string }[]>`SELECT current_setting('statement_timeout') AS timeout`,
      );
      expect(inside[0]!.timeout).toBe("400ms");
      const txError: unknown = await db.prisma
        .$transaction((tx) => tx.$queryRawUnsafe("SELECT pg_sleep(30)"), { timeout: 20_000 })
        .catch((e: unknown) => e);
      expect(JSON.stringify(txError, Object.getOwnPropertyNames(txError))).toMatch(/57014|cancel/i);

      // The pooled server connections carry no setting of ours between transactions, and still work.
      for (let i = 0; i < 4; i++) {
        const outside = await db.prisma.$queryRaw<
          { timeout: string }[]
        >`SELECT current_setting('statement_timeout') AS timeout`;
        expect(outside[0]!.timeout).toBe("0");
      }
    } finally {
      await observer.end();
      await db.close();
    }
  });

  it("reproduces the hang: migrations through the pooler leave their session lock on a pooled server connection", async () => {
    const { direct, pooled } = await emptyDatabase();
    // DATABASE_URL alone, pointing at PgBouncer: the engine's session is a pooled one.
    const { db, applied } = await openMigratedDatabase(
      { kind: "postgres", url: pooled, poolMax: 2, connectionTimeoutMs: 5_000, statementTimeoutMs: 5_000 },
      logger,
    );
    await db.close();
    expect(applied.length).toBeGreaterThan(0);
    // The engine disconnected, but PgBouncer kept the server connection, and with it the lock…
    expect(await migrationLocks(direct)).toBe(1);
    // …so the next start, on any other session, waits for ever (the engine's own wait has no timeout).
    const next = new pg.Client({ connectionString: direct });
    await next.connect();
    try {
      await next.query("SET lock_timeout = '1s'");
      await expect(next.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK])).rejects.toThrow(/lock timeout/);
    } finally {
      await next.end();
    }
  });

  it("starts and restarts cleanly with DIRECT_DATABASE_URL: migrations on a session of their own, no lock left", async () => {
    const { direct, pooled } = await emptyDatabase();
    const env = {
      DATABASE_URL: pooled,
      DIRECT_DATABASE_URL: direct,
      JWT_SECRET: TEST_JWT_SECRET,
      BCRYPT_COST: "4",
      DB_STATEMENT_TIMEOUT_MS: "2000",
    };
    for (let start = 0; start < 2; start++) {
      const api = spawnApi(env);
      try {
        const url = await api.waitUntilListening(1, 30_000);
        const email = `bouncer-${randomUUID()}@example.com`;
        const session = await freshRequest(url, "/api/v1/auth/register", {
          method: "POST",
          body: { email, password: "correct horse battery" },
        });
        expect(session.status).toBe(201);
        const created = await freshRequest(url, `/api/v1/${session.body.user.id}/tasks`, {
          method: "POST",
          token: session.body.accessToken,
          body: { title: "through PgBouncer" },
        });
        expect(created.status).toBe(201);
        expect((await freshRequest(url, "/readyz")).status).toBe(200);
        api.child.kill("SIGTERM");
        expect(await api.exited).toBe(0);
      } finally {
        api.kill();
      }
      expect(await migrationLocks(direct)).toBe(0);
    }
  });
});
