// A database of its own for each run, and the data every scenario reads or writes.
import { randomBytes } from "node:crypto";
import { freshRequest } from "@todo/test-kit";
import pg from "pg";
import { options } from "./options.js";

export const PASSWORD = "correct horse battery staple";
const LOGIN_USERS = 8;
const UPDATE_TASKS = 2_000;

export interface Fixture {
  reader: { id: string; token: string; taskIds: string[] };
  writer: { id: string; token: string };
  updater: { id: string; token: string; taskIds: string[] };
  deleter: { id: string; token: string };
  logins: string[];
}

export interface BenchDatabase {
  name: string;
  url: string;
  pgVersion: string;
  drop(): Promise<void>;
}

/** `todo_bench_<timestamp>` on the admin URL's server, dropped by `drop()`. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `todo_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  const pgVersion = (await admin.query<{ version: string }>("SELECT version()")).rows[0]!.version;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    pgVersion,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function register(apiUrl: string, name: string) {
  const email = `${name}-${randomBytes(4).toString("hex")}@bench.example`;
  const res = await freshRequest(apiUrl, "/api/v1/auth/register", {
    method: "POST",
    body: { email, password: PASSWORD },
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id as string, token: res.body.accessToken as string, email };
}

async function insertTasks(db: pg.Client, userId: string, count: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO tasks (id, user_id, title, description, completed, created_at, updated_at)
     SELECT gen_random_uuid(), $1, 'Task ' || n, CASE WHEN n % 2 = 0 THEN 'Some notes about task ' || n END,
            n % 3 = 0, now() - (n || ' seconds')::interval, now()
     FROM generate_series(1, $2) AS n RETURNING id`,
    [userId, count],
  );
  return rows.map((r) => r.id);
}

/** Accounts through the API itself (registration), bulk rows through SQL. */
export async function seed(apiUrl: string, db: pg.Client): Promise<Fixture> {
  const names = [
    "reader",
    "writer",
    "updater",
    "deleter",
    ...Array.from({ length: LOGIN_USERS }, (_, i) => `login${i}`),
  ];
  const [reader, writer, updater, deleter, ...logins] = await Promise.all(names.map((n) => register(apiUrl, n)));
  const readerTasks = await insertTasks(db, reader!.id, 20);
  const updaterTasks = await insertTasks(db, updater!.id, UPDATE_TASKS);
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

/**
 * A task of its own for each delete request. As tasks are in real life: deleted long after they were written
 * (vacuumed, with hint bits set), and not in the order of one bulk insert. Deleting fresh rows of one big insert
 * in insertion order runs ten times slower in PostgreSQL itself (concurrent deletes on the same heap pages).
 */
export async function deletableTasks(db: pg.Client, f: Fixture, count: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO tasks (id, user_id, title, created_at, updated_at)
     SELECT gen_random_uuid(), $1, 'Doomed ' || n, now(), now() FROM generate_series(1, $2) AS n RETURNING id`,
    [f.deleter.id, count],
  );
  await db.query("VACUUM ANALYZE tasks");
  return shuffle(rows.map((r) => r.id));
}
