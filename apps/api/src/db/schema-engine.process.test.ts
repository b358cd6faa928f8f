import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { createPostgresDatabase, type PostgresDatabase } from "@todo/test-kit";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT as repoRoot } from "../config/paths.js";
import { applyMigrations, diffMigrationsToSchema } from "./schema-engine.js";

const paths = {
  migrationsDir: join(repoRoot, "prisma/migrations"),
  schemaPath: join(repoRoot, "prisma/schema.prisma"),
};
const expectedTables = [
  "_prisma_migrations",
  "idempotency_records",
  "lists",
  "password_reset_tokens",
  "rate_limit_counters",
  "refresh_tokens",
  "sign_in_tombstones",
  "sign_ins",
  "sync_counters",
  "sync_tombstones",
  "tasks",
  "users",
];
const tablesSql =
  "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name";

// Each engine's part runs in its own project (process-pglite, process-postgres); the drift check needs neither.
const onPglite = inject("database") === "pglite";

async function migrationNames(): Promise<string[]> {
  const entries = await readdir(paths.migrationsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

describe.runIf(onPglite)("on PGlite", () => {
  let db: PGlite;
  beforeAll(() => {
    db = new PGlite();
  });
  afterAll(() => db.close());

  it("applies every migration once", async () => {
    const names = await migrationNames();
    expect(names.length).toBeGreaterThan(0);
    expect(await applyMigrations(new PrismaPGlite(db), paths)).toEqual(names);
    const { rows } = await db.query<{ table_name: string }>(tablesSql);
    expect(rows.map((r) => r.table_name)).toEqual(expectedTables);

    expect(await applyMigrations(new PrismaPGlite(db), paths)).toEqual([]);
  });

  it("reports a failing migration and records it as failed, as Prisma does", async () => {
    const dir = await mkdtemp(join(tmpdir(), "migrations-"));
    try {
      await cp(paths.migrationsDir, dir, { recursive: true });
      await mkdir(join(dir, "99990101000000_broken"));
      await writeFile(
        join(dir, "99990101000000_broken/migration.sql"),
        "CREATE TABLE t (id int);\nSELECT * FROM nope;\n",
      );
      const broken = { migrationsDir: dir, schemaPath: paths.schemaPath };
      await expect(applyMigrations(new PrismaPGlite(db), broken)).rejects.toThrow(/nope/);
      const { rows } = await db.query<{ finished_at: Date | null }>(
        "SELECT finished_at FROM _prisma_migrations WHERE migration_name = '99990101000000_broken'",
      );
      expect(rows).toEqual([{ finished_at: null }]);
      // Prisma's P3009: nothing more is applied until the failure is resolved.
      await expect(applyMigrations(new PrismaPGlite(db), broken)).rejects.toThrow(/failed migrations/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(onPglite)("drift check", () => {
  it("finds no difference between the migrations and schema.prisma", async () => {
    // Non-empty means schema.prisma was edited without `pnpm db:migration:create <name>`.
    expect(await diffMigrationsToSchema(paths)).toBe("");
  });

  it("notices a schema change that has no migration", async () => {
    const dir = await mkdtemp(join(tmpdir(), "schema-drift-"));
    try {
      const schema = await readFile(paths.schemaPath, "utf8");
      const edited = schema.replace("  title       String", "  effort      Int      @default(0)\n  title       String");
      expect(edited).not.toBe(schema);
      const schemaPath = join(dir, "schema.prisma");
      await writeFile(schemaPath, edited);
      const sql = await diffMigrationsToSchema({ migrationsDir: paths.migrationsDir, schemaPath });
      expect(sql).toMatch(/ALTER TABLE "tasks" ADD COLUMN\s+"effort" INTEGER NOT NULL DEFAULT 0;/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(!onPglite)("on PostgreSQL", () => {
  // An empty database of its own (the run's is migrated already); dropped with FORCE, should a test leave a
  // connection open.
  let database: PostgresDatabase;
  beforeAll(async () => {
    database = await createPostgresDatabase("migrate_test");
  });
  afterAll(() => database?.drop());

  it("applies every migration once and records Prisma's checksums", async () => {
    // The app passes its long-lived pool; it must stay usable, and a second run must not block on the
    // advisory lock the first one took.
    const names = await migrationNames();
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    try {
      const factory = new PrismaPg(pool);
      expect(await applyMigrations(factory, paths)).toEqual(names);
      expect(await applyMigrations(factory, paths)).toEqual([]);
      expect((await pool.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]);
    } finally {
      await pool.end();
    }

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>(tablesSql);
      expect(tables.rows.map((r) => r.table_name)).toEqual(expectedTables);
      const applied = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
        "SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name",
      );
      const expected = await Promise.all(
        names.map(async (name) => ({
          migration_name: name,
          // Prisma's checksum is the SHA-256 of migration.sql as stored.
          checksum: createHash("sha256")
            .update(await readFile(join(paths.migrationsDir, name, "migration.sql")))
            .digest("hex"),
        })),
      );
      expect(applied.rows.map(({ migration_name, checksum }) => ({ migration_name, checksum }))).toEqual(expected);
      expect(applied.rows.every((r) => r.finished_at !== null)).toBe(true);
    } finally {
      await client.end();
    }
  });
});
