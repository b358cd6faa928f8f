// A database of its own for each run, and the data every scenario reads or writes.
import { randomBytes } from "node:crypto";
import { generateNKeysBetween } from "fractional-indexing";
import pg from "pg";
import { freshRequest } from "../test/api-process.js";
import { options } from "./options.js";

export const PASSWORD = "correct horse battery staple";
const LOGIN_USERS = 8;
const UPDATE_TASKS = 2_000;
/** The one user of the large-list scenarios (`MAX_TASKS_PER_USER`, the default quota). */
export const BIG_USER_TASKS = 10_000;
const WRITERS = 8;

export interface Fixture {
  reader: { id: string; token: string; taskIds: string[] };
  /** Creates cycle over several writers, whose tasks are cleared before each create run (see clearWriters). */
  writers: { id: string; token: string }[];
  /** 10,000 tasks with lists, dates, priorities and a manual order unlike creation order. */
  big: { id: string; token: string };
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

/** `count` positions in manual order, as fractional-indexing makes them (the API's own library). */
const positions = (count: number) => generateNKeysBetween(null, null, count);

async function insertTasks(db: pg.Client, userId: string, count: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO tasks (id, user_id, title, description, completed, created_at, updated_at, position)
     SELECT gen_random_uuid(), $1, 'Task ' || n, CASE WHEN n % 2 = 0 THEN 'Some notes about task ' || n END,
            n % 3 = 0, now() - (n || ' seconds')::interval, now(), p.position
     FROM unnest($2::text[]) WITH ORDINALITY AS p(position, n) RETURNING id`,
    [userId, positions(count)],
  );
  return rows.map((r) => r.id);
}

/**
 * The large list: 10,000 tasks in 5 lists (and none), a due date on two thirds of them, every priority, a third
 * completed, words to search for, and a manual order that is a shuffle of creation order.
 */
async function insertBigList(db: pg.Client, userId: string): Promise<void> {
  const { rows: lists } = await db.query<{ id: string }>(
    `INSERT INTO lists (id, user_id, name) SELECT gen_random_uuid(), $1, 'List ' || n FROM generate_series(1, 5) n
     RETURNING id`,
    [userId],
  );
  await db.query(
    `INSERT INTO tasks (id, user_id, title, description, completed, completed_at, created_at, updated_at, list_id,
                        due_date, priority, position)
     SELECT gen_random_uuid(), $1, (ARRAY['Buy','Call','Write','Fix','Plan'])[n % 5 + 1] || ' item ' || n,
            CASE WHEN n % 4 = 0 THEN 'Notes for item ' || n END, n % 3 = 0, CASE WHEN n % 3 = 0 THEN now() END,
            now() - (n || ' seconds')::interval, now() - ((n * 7919 % 10000) || ' seconds')::interval,
            ($2::uuid[])[n % 6 + 1], CASE WHEN n % 3 <> 2 THEN date '2026-01-01' + (n % 365) END, n % 4, p.position
     FROM (SELECT position, n::int AS n FROM unnest($3::text[]) WITH ORDINALITY AS u(position, n)) AS p`,
    [userId, lists.map((l) => l.id), positions(BIG_USER_TASKS).sort(() => Math.random() - 0.5)],
  );
}

/** Empties the writers' task lists, so that every create run starts where the last one did. */
export async function clearWriters(db: pg.Client, f: Fixture): Promise<void> {
  await db.query("DELETE FROM tasks WHERE user_id = ANY($1)", [f.writers.map((w) => w.id)]);
  await db.query("VACUUM ANALYZE tasks");
}

/** Accounts through the API itself (registration), bulk rows through SQL. */
export async function seed(apiUrl: string, db: pg.Client): Promise<Fixture> {
  const names = [
    "reader",
    "big",
    "updater",
    "deleter",
    ...Array.from({ length: WRITERS }, (_, i) => `writer${i}`),
    ...Array.from({ length: LOGIN_USERS }, (_, i) => `login${i}`),
  ];
  const [reader, big, updater, deleter, ...others] = await Promise.all(names.map((n) => register(apiUrl, n)));
  const writers = others.slice(0, WRITERS);
  const logins = others.slice(WRITERS);
  const readerTasks = await insertTasks(db, reader!.id, 20);
  const updaterTasks = await insertTasks(db, updater!.id, UPDATE_TASKS);
  await insertBigList(db, big!.id);
  await db.query("VACUUM ANALYZE");
  return {
    reader: { ...reader!, taskIds: readerTasks },
    writers: writers.map(({ id, token }) => ({ id, token })),
    big: { id: big!.id, token: big!.token },
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
    `INSERT INTO tasks (id, user_id, title, created_at, updated_at, position)
     SELECT gen_random_uuid(), $1, 'Doomed ' || n, now(), now(), p.position
     FROM unnest($2::text[]) WITH ORDINALITY AS p(position, n) RETURNING id`,
    [f.deleter.id, positions(count)],
  );
  await db.query("VACUUM ANALYZE tasks");
  return shuffle(rows.map((r) => r.id));
}
