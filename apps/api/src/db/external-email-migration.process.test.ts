import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT as repoRoot } from "../config/paths.js";
import { applyMigrations } from "./schema-engine.js";

const MIGRATION = "20261123022126_external_identity_email";
const sourceDir = join(repoRoot, "prisma/migrations");
const schemaPath = join(repoRoot, "prisma/schema.prisma");

// Users recorded before external identities had an email column of their own took `users.email`, verified
// or not; the migration moves their address aside so it no longer reserves a password account's email.
// On a PGlite of its own: the process-pglite project runs it.
describe.runIf(inject("database") === "pglite")(`migration ${MIGRATION}`, () => {
  let db: PGlite;
  let dir: string;
  beforeAll(async () => {
    db = new PGlite();
    dir = await mkdtemp(join(tmpdir(), "migrations-"));
    const names = (await readdir(sourceDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    for (const name of names.filter((n) => n < MIGRATION)) {
      await cp(join(sourceDir, name), join(dir, name), { recursive: true });
    }
    await cp(join(sourceDir, "migration_lock.toml"), join(dir, "migration_lock.toml"));
    await applyMigrations(new PrismaPGlite(db), { migrationsDir: dir, schemaPath });
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("moves the emails of password-less users to external_email and then keeps the two kinds apart", async () => {
    await db.exec(`
      INSERT INTO users (id, email, password_hash) VALUES
        ('external-1', 'taken@example.com', NULL),
        ('external-2', NULL, NULL),
        ('3f1c7d9e-1111-4222-8333-444455556666', 'owner@example.com', '$2b$04$abcdefghijklmnopqrstuu');`);
    await cp(join(sourceDir, MIGRATION), join(dir, MIGRATION), { recursive: true });
    expect(await applyMigrations(new PrismaPGlite(db), { migrationsDir: dir, schemaPath })).toEqual([MIGRATION]);

    const { rows } = await db.query("SELECT id, email, external_email FROM users ORDER BY id");
    expect(rows).toEqual([
      { id: "3f1c7d9e-1111-4222-8333-444455556666", email: "owner@example.com", external_email: null },
      { id: "external-1", email: null, external_email: "taken@example.com" },
      { id: "external-2", email: null, external_email: null },
    ]);
    // The address an external identity had is free for a password account now.
    await db.exec(`INSERT INTO users (id, email, password_hash) VALUES ('new', 'taken@example.com', 'x')`);
    await expect(
      db.exec(`INSERT INTO users (id, email, password_hash) VALUES ('e3', 'someone@example.com', NULL)`),
    ).rejects.toThrow(/users_account_kind_check/);
    await expect(db.exec(`UPDATE users SET external_email = 'x@example.com' WHERE id = 'new'`)).rejects.toThrow(
      /users_account_kind_check/,
    );
  });
});
