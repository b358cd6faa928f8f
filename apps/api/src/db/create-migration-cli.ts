// `pnpm db:migration:create <name>`: writes the SQL that brings the migrations up to schema.prisma as a
// new Prisma migration. Needs no database server: the diff runs on in-memory PGlite.
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { REPO_ROOT as repoRoot } from "../config/paths.js";
import { diffMigrationsToSchema, MIGRATION_LOCK_TOML } from "./schema-engine.js";

const migrationsDir = join(repoRoot, "prisma/migrations");
const schemaPath = join(repoRoot, "prisma/schema.prisma");

// "Add task tags" -> "add_task_tags"; folder names must stay portable and sort by their timestamp.
function toSnakeCase(name: string): string {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 200);
}

// Prisma's own format (UTC, to the second), so these folders sort among ones `prisma migrate dev` made.
function timestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, "").slice(0, 14);
}

async function main(): Promise<number> {
  // pnpm forwards a literal "--" when the caller writes `pnpm db:migration:create -- name`.
  const name = toSnakeCase(
    process.argv
      .slice(2)
      .filter((arg) => arg !== "--")
      .join(" "),
  );
  if (!name) {
    console.error("Usage: pnpm db:migration:create <name>");
    return 2;
  }
  const sql = await diffMigrationsToSchema({ migrationsDir, schemaPath });
  if (sql === "") {
    console.log("No schema changes: schema.prisma matches the migrations.");
    return 0;
  }
  const folder = join(migrationsDir, `${timestamp(new Date())}_${name}`);
  await mkdir(folder, { recursive: true });
  // As `prisma migrate dev` writes it: the engine's script verbatim (its checksum is what gets recorded).
  await writeFile(join(folder, "migration.sql"), sql, { flag: "wx" });
  await writeFile(join(migrationsDir, "migration_lock.toml"), MIGRATION_LOCK_TOML, { flag: "wx" }).catch(
    (error: unknown) => {
      if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error;
    },
  );
  console.log(`Created ${relative(repoRoot, join(folder, "migration.sql"))}`);
  return 0;
}

process.exitCode = await main();
