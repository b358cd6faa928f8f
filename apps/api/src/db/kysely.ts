import type { PGlite, Transaction } from "@electric-sql/pglite";
import {
  CamelCasePlugin,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type Generated,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from "kysely";
import pg from "pg";
import type { TaskList as ListModel, Task as TaskModel, User as UserModel } from "../generated/prisma/client.js";
import { parseTimestamptz, TIMESTAMPTZ_OID } from "./timestamps.js";

/**
 * The tables the typed SQL layer (Kysely) sees, derived from the Prisma models: schema.prisma stays the one place a
 * column is declared; `pnpm db:generate` updates these types and the type checker finds every query to change.
 * Names are the models' field names; Kysely's CamelCasePlugin maps them to the snake_case columns
 * (`userId` ↔ `user_id`). Two columns differ from the Prisma client's view on purpose: `date` columns arrive as
 * `YYYY-MM-DD` strings (a calendar date has no time zone to shift), and `position` is compared with COLLATE "C".
 */
export interface Tables {
  tasks: Omit<TaskModel, "dueDate" | SyncColumns> & { dueDate: string | null } & SyncColumnTypes;
  lists: Omit<ListModel, SyncColumns> & SyncColumnTypes;
  users: UserModel;
}

export type Sql = Kysely<Tables>;

/** Columns the sync triggers write on every insert and update (see the sync migration): never in a statement. */
type SyncColumns = "version" | "changeSeq";
interface SyncColumnTypes {
  version: Generated<number>;
  /** bigint: read it as text (`change_seq::text`). */
  changeSeq: Generated<string>;
}

/** PostgreSQL's `date` type. */
const DATE_OID = 1082;
const dateAsText = (value: string): string => value;

/** Text parsers of our own, by type OID (the rest are pg's). */
const TEXT_PARSERS = new Map<number, (value: string) => unknown>([
  [DATE_OID, dateAsText],
  [TIMESTAMPTZ_OID, parseTimestamptz],
]);

/**
 * Type parsers for the pg pool: `date` stays the server's `YYYY-MM-DD` text; `timestamptz` takes a fast path for
 * UTC (see timestamps.ts). Prisma's adapter sets its own per query.
 */
export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    (format !== "binary" && TEXT_PARSERS.get(oid)) ||
    pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

const plugins = [new CamelCasePlugin()];

/** Kysely on the PostgreSQL pool the API already has (the same connections Prisma uses). */
export function kyselyOnPool(pool: pg.Pool): Sql {
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }), plugins });
}

const PGLITE_QUERY_OPTIONS = { parsers: { [DATE_OID]: dateAsText } };

/**
 * One Kysely connection on the embedded PGlite. PGlite is a single connection guarded by a mutex: a plain query waits
 * for any running `transaction()`, Prisma's included. A Kysely transaction therefore runs inside `client.transaction`
 * (held open until commit or rollback), never as a bare BEGIN that other callers' queries could slip into.
 */
class PgliteConnection implements DatabaseConnection {
  #tx: { tx: Transaction; finish: () => void; done: Promise<unknown> } | undefined;

  constructor(private readonly client: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const target = this.#tx?.tx ?? this.client;
    const result = await target.query<R>(query.sql, [...query.parameters], PGLITE_QUERY_OPTIONS);
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined && { numAffectedRows: BigInt(result.affectedRows) }),
    };
  }

  // biome-ignore lint/correctness/useYield: Kysely's interface; the API never streams.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("Streaming is not supported on PGlite");
  }

  async begin(): Promise<void> {
    if (this.#tx) throw new Error("A transaction is already open on this connection");
    await new Promise<void>((started, failed) => {
      let finish: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const done = this.client
        .transaction(async (tx) => {
          this.#tx = { tx, finish, done };
          started();
          await finished;
        })
        .catch((error: unknown) => {
          failed(error);
          throw error;
        });
      // Settled by commit() or rollback(); never an unhandled rejection.
      done.catch(() => undefined);
    });
  }

  async end(rollback: boolean): Promise<void> {
    const open = this.#tx;
    if (!open) return;
    this.#tx = undefined;
    if (rollback) await open.tx.rollback();
    open.finish();
    await open.done;
  }
}

class PgliteDriver implements Driver {
  constructor(private readonly client: PGlite) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new PgliteConnection(this.client);
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteConnection).begin();
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteConnection).end(false);
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteConnection).end(true);
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

/** Kysely on the embedded PGlite: the same SQL as on PostgreSQL, through the instance Prisma also uses. */
export function kyselyOnPglite(client: PGlite): Sql {
  return new Kysely<Tables>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new PgliteDriver(client),
      createQueryCompiler: () => new PostgresQueryCompiler(),
      createIntrospector: (db) => new PostgresIntrospector(db),
    },
    plugins,
  });
}
