import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { MIGRATION_PATHS } from "../config/paths.js";
import { applyMigrations, type MigrationPaths } from "./schema-engine.js";

/** Runs a query whose rows have one text column, `line`. */
export type LineQuery = (sql: string) => Promise<string[]>;

export const pgliteLines =
  (db: Pick<PGlite, "query">): LineQuery =>
  async (sql) =>
    (await db.query<{ line: string }>(sql)).rows.map((r) => r.line);

const USER_SCHEMA = `NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND %s NOT LIKE 'pg\\_temp\\_%%' AND %s NOT LIKE 'pg\\_toast\\_temp\\_%%'`;
const userSchema = (column: string) => `${column} ${USER_SCHEMA.replaceAll("%s", column).replaceAll("%%", "%")}`;

/**
 * Everything in a database's schema that decides what its statements do, one line per object: schemas,
 * relations (tables, views, sequences, indexes) and their columns, constraints, index definitions, triggers
 * (with whether they are enabled), rules, row-level security policies and flags, functions and procedures (with
 * a hash of their bodies), user types, operators, casts, extensions, event triggers and per-database settings.
 * Object ids and owners are left out, so two databases built by the same migrations give the same lines.
 */
export const FINGERPRINT_QUERIES: readonly string[] = [
  `SELECT 'schema ' || nspname AS line FROM pg_namespace WHERE ${userSchema("nspname")}`,
  `SELECT 'relation ' || n.nspname || '.' || c.relname || ' kind=' || c.relkind::text
     || ' rls=' || c.relrowsecurity::text || ' force_rls=' || c.relforcerowsecurity::text AS line
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${userSchema("n.nspname")}`,
  `SELECT 'column ' || table_schema || '.' || table_name || '.' || column_name || ' ' || data_type
     || coalesce('(' || character_maximum_length::text || ')', '') || ' nullable=' || is_nullable
     || ' default=' || coalesce(column_default, '-') || ' generated=' || coalesce(generation_expression, '-') AS line
   FROM information_schema.columns WHERE ${userSchema("table_schema")}`,
  // NOT NULL constraints (catalogued since PostgreSQL 17, so in PGlite) are named after the table when it was
  // created: a table renamed by a migration keeps the old name, a dump reloaded creates the new one. The column's
  // nullability is what matters (also in the column lines), so their names are left out.
  `SELECT 'constraint ' || n.nspname || '.' || CASE WHEN c.contype = 'n' THEN '(not null)' ELSE c.conname END
     || ' on ' || c.conrelid::regclass::text || ' ' || pg_get_constraintdef(c.oid) AS line
   FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE ${userSchema("n.nspname")}`,
  `SELECT 'index ' || schemaname || '.' || indexname || ' ' || indexdef AS line FROM pg_indexes
   WHERE ${userSchema("schemaname")}`,
  `SELECT 'trigger ' || n.nspname || '.' || c.relname || '.' || t.tgname || ' enabled=' || t.tgenabled::text || ' '
     || pg_get_triggerdef(t.oid) AS line
   FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE NOT t.tgisinternal`,
  `SELECT 'rule ' || schemaname || '.' || tablename || '.' || rulename || ' ' || definition AS line FROM pg_rules
   WHERE ${userSchema("schemaname")}`,
  `SELECT 'policy ' || schemaname || '.' || tablename || '.' || policyname || ' ' || cmd || ' '
     || coalesce(qual, '-') || ' ' || coalesce(with_check, '-') AS line FROM pg_policies`,
  `SELECT 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') kind='
     || p.prokind::text || ' security_definer=' || p.prosecdef::text || ' body=' || md5(coalesce(p.prosrc, '')) AS line
   FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${userSchema("n.nspname")}`,
  `SELECT 'type ' || n.nspname || '.' || t.typname || ' kind=' || t.typtype::text AS line
   FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${userSchema("n.nspname")}`,
  `SELECT 'operator ' || n.nspname || '.' || o.oprname || '(' || o.oprleft::regtype::text || ','
     || o.oprright::regtype::text || ')' AS line
   FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE ${userSchema("n.nspname")}`,
  `SELECT 'cast ' || castsource::regtype::text || ' -> ' || casttarget::regtype::text || ' via '
     || castfunc::regproc::text AS line FROM pg_cast WHERE oid >= 16384`,
  `SELECT 'extension ' || extname || ' ' || extversion AS line FROM pg_extension`,
  `SELECT 'event_trigger ' || evtname || ' ' || evtevent AS line FROM pg_event_trigger`,
  `SELECT 'setting ' || coalesce(array_to_string(setconfig, ','), '') AS line FROM pg_db_role_setting`,
];

/**
 * The database's schema as sorted lines (see FINGERPRINT_QUERIES). Definitions are rendered with an empty
 * search_path, so every name in them is schema-qualified whatever the caller's setting (a pg_dump script empties
 * it; a fresh database has the default), and restored afterwards.
 */
export async function schemaFingerprint(query: LineQuery): Promise<string[]> {
  const [searchPath = ""] = await query("SELECT current_setting('search_path') AS line");
  await query("SELECT set_config('search_path', '', false) AS line");
  try {
    const lines: string[] = [];
    for (const sql of FINGERPRINT_QUERIES) lines.push(...(await query(sql)));
    return lines.sort();
  } finally {
    await query(`SELECT set_config('search_path', ${quoteLiteral(searchPath)}, false) AS line`);
  }
}

const quoteLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** `+ line`: in `actual` only (something was added); `- line`: in `expected` only (something is missing). */
export function schemaDifferences(expected: string[], actual: string[]): string[] {
  const want = new Set(expected);
  const have = new Set(actual);
  return [
    ...actual.filter((line) => !want.has(line)).map((line) => `+ ${line}`),
    ...expected.filter((line) => !have.has(line)).map((line) => `- ${line}`),
  ];
}

/**
 * The fingerprint of a fresh embedded database migrated with exactly these migrations (by folder name), as
 * this version of the API has them: what an imported database at that migration level must look like. A name
 * this version does not have is refused (a dump from a newer or another application).
 */
export function migratedFingerprint(
  migrationNames: string[],
  paths: MigrationPaths = MIGRATION_PATHS,
): Promise<string[]> {
  // Building the reference takes seconds: once per set of migrations and process is enough.
  const key = JSON.stringify([paths.migrationsDir, migrationNames]);
  let fingerprint = references.get(key);
  if (!fingerprint) {
    fingerprint = buildReference(migrationNames, paths);
    fingerprint.catch(() => references.delete(key));
    references.set(key, fingerprint);
  }
  return fingerprint;
}

const references = new Map<string, Promise<string[]>>();

async function buildReference(migrationNames: string[], paths: MigrationPaths): Promise<string[]> {
  const known = new Set(
    (await readdir(paths.migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name),
  );
  const unknown = migrationNames.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(`the dump records migrations this version does not have: ${unknown.join(", ")}`);
  }
  const dir = await mkdtemp(join(tmpdir(), "todo-reference-migrations-"));
  const db = new PGlite();
  try {
    await cp(join(paths.migrationsDir, "migration_lock.toml"), join(dir, "migration_lock.toml")).catch(() => undefined);
    for (const name of migrationNames) await cp(join(paths.migrationsDir, name), join(dir, name), { recursive: true });
    await applyMigrations(new PrismaPGlite(db), { migrationsDir: dir, schemaPath: paths.schemaPath });
    return await schemaFingerprint(pgliteLines(db));
  } finally {
    await db.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Checks that a database just restored from a dump has exactly the schema its recorded migrations produce:
 * no table, column or index more or less, and no trigger, function, rule, policy or other object the
 * migrations did not create (a planted trigger could, say, undo every sign-out). Throws with the differences.
 */
export async function assertSchemaMatchesMigrations(query: LineQuery, paths: MigrationPaths = MIGRATION_PATHS) {
  const tables = await query(
    "SELECT 'x' AS line FROM pg_tables WHERE schemaname = 'public' AND tablename = '_prisma_migrations'",
  );
  if (tables.length === 0) {
    throw new Error("the dump has no _prisma_migrations table: it is not a dump of this API's database");
  }
  const applied = await query(
    `SELECT migration_name AS line FROM public._prisma_migrations
     WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  const [expected, actual] = [await migratedFingerprint(applied, paths), await schemaFingerprint(query)];
  const differences = schemaDifferences(expected, actual);
  if (differences.length > 0) {
    const shown = differences.slice(0, 20).map((d) => `    ${d}`);
    if (differences.length > shown.length) shown.push(`    … and ${differences.length - shown.length} more`);
    throw new Error(
      `the imported schema differs from what its migrations (${applied.length}) produce; nothing was imported. ` +
        `Import only dumps from a source you trust (pnpm db:export, or pg_dump of this API's database).\n${shown.join("\n")}`,
    );
  }
}
