import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { describe, expect, it } from "vitest";
import { MIGRATION_PATHS } from "../config/paths.js";
import { applyMigrations } from "./schema-engine.js";
import { assertSchemaMatchesMigrations, pgliteLines } from "./schema-fingerprint.js";

/** A fresh embedded database with this version's migrations, as a good import leaves one. */
async function migrated(): Promise<PGlite> {
  const db = new PGlite();
  await applyMigrations(new PrismaPGlite(db), MIGRATION_PATHS);
  return db;
}

describe("an imported schema is compared with a fresh database built by the same migrations", {
  timeout: 180_000,
}, () => {
  it("accepts what the migrations produce, and refuses a planted trigger, function, index or column", async () => {
    const db = await migrated();
    try {
      await expect(assertSchemaMatchesMigrations(pgliteLines(db))).resolves.toBeUndefined();
      const plants = [
        `CREATE FUNCTION public.keep_signed_in() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN NEW.revoked_at := NULL; RETURN NEW; END $$;
         CREATE TRIGGER keep_signed_in BEFORE UPDATE ON public.sign_ins
           FOR EACH ROW EXECUTE FUNCTION public.keep_signed_in();`,
        "CREATE INDEX sneaky ON public.tasks (title)",
        "ALTER TABLE public.users ADD COLUMN backdoor text",
        "CREATE RULE no_delete AS ON DELETE TO public.tasks DO INSTEAD NOTHING",
        "ALTER TABLE public.sign_ins DROP CONSTRAINT sign_ins_user_id_fkey",
      ];
      const expected = [
        /\+ trigger public\.sign_ins\.keep_signed_in/,
        /\+ index public\.sneaky/,
        /\+ column public\.users\.backdoor/,
        /\+ rule public\.tasks\.no_delete/,
        /- constraint public\.sign_ins_user_id_fkey/,
      ];
      for (const [i, sql] of plants.entries()) {
        await db.exec("BEGIN");
        try {
          await db.exec(sql);
          await expect(assertSchemaMatchesMigrations(pgliteLines(db))).rejects.toThrow(expected[i]!);
        } finally {
          await db.exec("ROLLBACK");
        }
      }
    } finally {
      await db.close();
    }
  });

  it("judges a dump at an older migration level by those migrations, and refuses unknown ones", async () => {
    const db = await migrated();
    try {
      const [first] = (await pgliteLines(db)("SELECT migration_name AS line FROM _prisma_migrations ORDER BY 1")) as [
        string,
      ];
      await db.exec(
        `UPDATE _prisma_migrations SET migration_name = '29990101000000_from_the_future' WHERE migration_name = '${first}'`,
      );
      await expect(assertSchemaMatchesMigrations(pgliteLines(db))).rejects.toThrow(
        "the dump records migrations this version does not have: 29990101000000_from_the_future",
      );
      await db.exec("DROP TABLE _prisma_migrations");
      await expect(assertSchemaMatchesMigrations(pgliteLines(db))).rejects.toThrow("no _prisma_migrations table");
    } finally {
      await db.close();
    }
  });
});
