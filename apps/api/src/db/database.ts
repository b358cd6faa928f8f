import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { Logger } from "pino";
import type { Env } from "../config/env.js";
import { PrismaClient } from "../generated/prisma/client.js";
import { boundedClient } from "./bounded-client.js";
import { kyselyOnPglite, kyselyOnPool, pgTypes, type Sql } from "./kysely.js";
import { openPgliteFolder } from "./pglite-folder.js";

export type DatabaseTarget =
  | {
      kind: "postgres";
      /** What the API's queries use: a server, or a transaction pooler in front of one (PgBouncer, Neon's pooled URL). */
      url: string;
      /** A real session on the server itself, for migrations (their advisory lock); `url` when unset. */
      directUrl?: string;
      poolMax: number;
      connectionTimeoutMs: number;
      statementTimeoutMs: number;
      /** Keep the hot queries as prepared statements on each connection: a direct connection, not a pooler. */
      preparedStatements?: boolean;
    }
  /** `dir` is a folder on disk, or `memory://` for a throwaway in-memory database. */
  | { kind: "pglite"; dir: string };

/** The database the configuration names: `DATABASE_URL`'s server, else the embedded PGlite in `PGLITE_DIR`. */
export function databaseTarget(env: Env): DatabaseTarget {
  return env.DATABASE_URL
    ? {
        kind: "postgres",
        url: env.DATABASE_URL,
        directUrl: env.DIRECT_DATABASE_URL,
        poolMax: env.DB_POOL_MAX,
        connectionTimeoutMs: env.DB_CONNECTION_TIMEOUT_MS,
        statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
        // Unset: on unless DIRECT_DATABASE_URL says that DATABASE_URL is a transaction pooler.
        preparedStatements: env.DB_PREPARED_STATEMENTS ?? env.DIRECT_DATABASE_URL === undefined,
      }
    : { kind: "pglite", dir: env.PGLITE_DIR };
}

export type MigrationAdapterFactory = PrismaPg | PrismaPGlite;

/** Connections of a PostgreSQL pool; the embedded PGlite is one in-process connection and reports only `max: 1`. */
export interface PoolStats {
  max: number;
  total?: number;
  idle?: number;
  /** Queries waiting for a connection. */
  waiting?: number;
}

export interface Database {
  readonly kind: DatabaseTarget["kind"];
  /** The embedded database's folder (real path), or `memory://`; absent for PostgreSQL. */
  readonly dataDir?: string;
  readonly prisma: PrismaClient;
  /** Typed SQL (Kysely) on the same connections: the task and list services' queries. */
  readonly sql: Sql;
  /**
   * What the schema engine connects with for migrations: on PostgreSQL the direct URL (a session of its own,
   * never the app's pool), on PGlite the same in-process connection.
   */
  readonly adapterFactory: MigrationAdapterFactory;
  /** Resolves when the database answers a trivial query within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: "ETIMEDOUT" })),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function openPostgres(target: Extract<DatabaseTarget, { kind: "postgres" }>, logger: Logger): Database {
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolMax,
    // A finite wait for a free connection: an exhausted pool or a dead server ends in an error (503), not a queue.
    connectionTimeoutMillis: target.connectionTimeoutMs,
    idleTimeoutMillis: 30_000,
    // No session state and no startup parameter but application_name (which PgBouncer passes on): the
    // statement timeout is enforced per statement and per transaction instead (see bounded-client.ts).
    Client: boundedClient(target.statementTimeoutMs, { prepare: target.preparedStatements }),
    application_name: "todo-api",
    types: pgTypes,
  });
  // Idle clients emit 'error' when the server goes away; unhandled, that would crash the process.
  pool.on("error", (err) => logger.warn({ err: { message: err.message } }, "idle database connection lost"));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  // Migrations take a session advisory lock and never release it: behind a transaction pooler it would stay
  // on a pooled server connection after the engine disconnects, and the next start would wait for ever.
  // So they connect to the server itself, one connection of their own, closed when they are done.
  const adapterFactory = new PrismaPg({
    connectionString: target.directUrl ?? target.url,
    max: 1,
    connectionTimeoutMillis: target.connectionTimeoutMs,
    application_name: "todo-api-migrations",
  });
  return {
    kind: "postgres",
    prisma,
    sql: kyselyOnPool(pool),
    adapterFactory,
    async ping(timeoutMs) {
      await withTimeout(pool.query("SELECT 1"), timeoutMs, "database ping");
    },
    poolStats: () => ({
      max: target.poolMax,
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

async function openPglite(target: Extract<DatabaseTarget, { kind: "pglite" }>): Promise<Database> {
  const folder = target.dir === "memory://" ? undefined : await openPgliteFolder(target.dir);
  const client = folder?.client ?? (await PGlite.create());
  const adapterFactory = new PrismaPGlite(client);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    kind: "pglite",
    dataDir: folder?.dir ?? target.dir,
    prisma,
    sql: kyselyOnPglite(client),
    adapterFactory,
    async ping(timeoutMs) {
      await withTimeout(client.query("SELECT 1"), timeoutMs, "database ping");
    },
    poolStats: () => ({ max: 1 }),
    async close() {
      await prisma.$disconnect();
      if (folder) await folder.close();
      else if (!client.closed) await client.close();
    },
  };
}

export async function openDatabase(target: DatabaseTarget, logger: Logger): Promise<Database> {
  return target.kind === "postgres" ? openPostgres(target, logger) : openPglite(target);
}
