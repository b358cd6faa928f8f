import { randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { boundedClient, CANCEL_GRACE_MS } from "./bounded-client.js";
import { compiledOnce, preparedStatementName } from "./compiled-once.js";

/** Kysely without a connection, to compile SQL only. */
const kyselyForCompiling = new Kysely<object>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db) => new PostgresIntrospector(db),
  },
});

// Cancel requests and server-side statements need a PostgreSQL server.
const runs = inject("database") === "postgres";
const CANCEL_REQUEST_CODE = 80877102;

/**
 * A TCP relay in front of PostgreSQL that passes sessions through but swallows CancelRequests (as a
 * network or a proxy that loses them would), counting them.
 */
async function cancelEatingRelay(target: URL): Promise<{ server: Server; port: number; eaten: () => number }> {
  let eaten = 0;
  const server = createServer((client: Socket) => {
    client.once("data", (first: Buffer) => {
      if (first.length === 16 && first.readInt32BE(4) === CANCEL_REQUEST_CODE) {
        eaten++;
        client.destroy();
        return;
      }
      const upstream = connect(Number(target.port || 5432), target.hostname, () => {
        upstream.write(first);
        client.pipe(upstream).pipe(client);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      upstream.on("error", close);
      client.on("error", close);
      upstream.on("close", close);
      client.on("close", close);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no port");
  return { server, port: address.port, eaten: () => eaten };
}

describe.runIf(runs)("bounded pg client: every statement ends by its deadline", () => {
  const databaseUrl = inject("databaseUrl")!;
  let observer: pg.Client;
  beforeAll(async () => {
    observer = new pg.Client({ connectionString: databaseUrl });
    await observer.connect();
  });
  afterAll(() => observer?.end());

  const activeWith = async (tag: string) =>
    (
      await observer.query(
        "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()",
        [`%${tag}%`],
      )
    ).rows.length;

  it("cancels a late statement on the server and keeps the connection", async () => {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, Client: boundedClient(300) });
    try {
      const tag = `late_${randomBytes(4).toString("hex")}`;
      const started = performance.now();
      const error = await pool
        .query(`SELECT pg_sleep(20) AS ${tag}`)
        .catch((e: unknown) => e as Error & { code?: string });
      expect(error).toMatchObject({ code: "57014", message: "canceling statement due to statement timeout" });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(await activeWith(tag)).toBe(0);
      // The same (only) connection serves the next statement, unbounded by anything left over.
      const { rows } = await pool.query("SELECT pg_backend_pid() AS pid, current_setting('statement_timeout') AS t");
      expect(rows[0].t).toBe("0");
      expect(pool.totalCount).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it("bounds every transaction on the server too, however it is opened, and only that transaction", async () => {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, Client: boundedClient(300) });
    try {
      for (const begin of ["BEGIN", "begin", "START TRANSACTION ISOLATION LEVEL SERIALIZABLE"]) {
        const client = await pool.connect();
        try {
          await client.query(begin);
          expect((await client.query("SELECT current_setting('statement_timeout') AS t")).rows[0].t).toBe("300ms");
          await client.query("COMMIT");
          expect((await client.query("SELECT current_setting('statement_timeout') AS t")).rows[0].t).toBe("0");
        } finally {
          client.release();
        }
      }
    } finally {
      await pool.end();
    }
  });

  it("closes the connection under a statement whose cancel is lost, and the pool replaces it", async () => {
    const relay = await cancelEatingRelay(new URL(databaseUrl));
    const viaRelay = new URL(databaseUrl);
    viaRelay.hostname = "127.0.0.1";
    viaRelay.port = String(relay.port);
    const pool = new pg.Pool({ connectionString: viaRelay.toString(), max: 1, Client: boundedClient(300) });
    pool.on("error", () => undefined);
    try {
      const started = performance.now();
      const error = await pool.query("SELECT pg_sleep(20)").catch((e: unknown) => e as Error);
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(Error);
      expect(relay.eaten()).toBe(1);
      expect(elapsed).toBeGreaterThanOrEqual(300 + CANCEL_GRACE_MS - 50);
      expect(elapsed).toBeLessThan(300 + CANCEL_GRACE_MS + 2_000);
      // A fresh connection takes over.
      expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
      await new Promise((r) => relay.server.close(r));
    }
  });
});

describe.runIf(runs)("bounded pg client: prepared hot statements", () => {
  const databaseUrl = inject("databaseUrl")!;
  // A hot query as the task service makes one: compiled once, so its SQL has a prepared-statement name.
  const hot = compiledOnce((_shape: "hot", v: { n: number }) => ({
    compile: () => sql<{ doubled: number }>`SELECT ${v.n}::int * 2 AS doubled`.compile(kyselyForCompiling),
  }));
  const kept = async (pool: pg.Pool) =>
    (await pool.query<{ name: string }>("SELECT name FROM pg_prepared_statements")).rows.map((r) => r.name);

  it("with prepare, parses a hot query once per connection and then only binds it; other SQL stays unnamed", async () => {
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 1,
      Client: boundedClient(5_000, { prepare: true }),
    });
    try {
      const first = hot("hot", { n: 21 });
      const name = preparedStatementName(first.sql);
      expect(name).toMatch(/^todo_hot_\d+$/);
      expect((await pool.query(first.sql, [...first.parameters])).rows).toEqual([{ doubled: 42 }]);
      const second = hot("hot", { n: 5 });
      expect((await pool.query(second.sql, [...second.parameters])).rows).toEqual([{ doubled: 10 }]);
      await pool.query("SELECT $1::int AS plain", [1]);
      expect(await kept(pool)).toEqual([name]);
    } finally {
      await pool.end();
    }
  });

  it("keeps working when a hot statement's first use fails: a bad value, or inside an aborted transaction", async () => {
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 1,
      Client: boundedClient(5_000, { prepare: true }),
    });
    const tripled = compiledOnce((_shape: "tripled", v: { n: unknown }) => ({
      compile: () => sql<{ tripled: number }>`SELECT ${v.n}::int * 3 AS tripled`.compile(kyselyForCompiling),
    }));
    const run = (client: pg.Pool | pg.PoolClient, n: unknown) => {
      const query = tripled("tripled", { n });
      return client.query(query.sql, [...query.parameters]);
    };
    try {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await expect(client.query("SELECT 1/0")).rejects.toMatchObject({ code: "22012" });
        await expect(run(client, 1)).rejects.toMatchObject({ code: "25P02" });
        await client.query("ROLLBACK");
      } finally {
        client.release();
      }
      await expect(run(pool, "abc")).rejects.toMatchObject({ code: "22P02" });
      expect((await run(pool, 4)).rows).toEqual([{ tripled: 12 }]);
      expect((await run(pool, 5)).rows).toEqual([{ tripled: 15 }]);
    } finally {
      await pool.end();
    }
  });

  it("without prepare (behind a transaction pooler), keeps nothing on the connection", async () => {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, Client: boundedClient(5_000) });
    try {
      const query = hot("hot", { n: 1 });
      expect((await pool.query(query.sql, [...query.parameters])).rows).toEqual([{ doubled: 2 }]);
      expect(await kept(pool)).toEqual([]);
    } finally {
      await pool.end();
    }
  });
});
