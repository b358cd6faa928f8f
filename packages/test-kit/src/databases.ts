import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The PostgreSQL server the tests create their databases on (trust auth on the machine's server by default;
 * TEST_POSTGRES_ADMIN_URL overrides).
 */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A database of the machine's PostgreSQL server that belongs to one test (or one run), empty until migrated. */
export interface PostgresDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops it, ending any session still on it. Safe to call twice. */
  drop(): Promise<void>;
}

/** Runs `fn` on a connection to the admin database, closed afterwards. */
export async function withAdminConnection<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on the admin URL's server. */
export function postgresUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates a fresh, empty database named `<prefix>_<time>_<random>`. */
export async function createPostgresDatabase(prefix = "todo_test"): Promise<PostgresDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`not a plain database name prefix: ${prefix}`);
  const name = `${prefix}_${Date.now()}_${randomBytes(3).toString("hex")}`;
  await withAdminConnection((admin) => admin.query(`CREATE DATABASE ${name}`));
  let dropped = false;
  return {
    name,
    url: postgresUrl(name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdminConnection((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
