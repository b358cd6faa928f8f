import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { runApiCli } from "@todo/test-kit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

// pg_dump needs a PostgreSQL server: the postgres project has it. The embedded side needs none.
const runs = inject("database") === "postgres";
const run = promisify(execFile);

describe.runIf(runs)(
  "pnpm db:import refuses a dump whose schema its migrations did not make",
  { timeout: 600_000 },
  () => {
    const runUrl = inject("databaseUrl")!;
    const name = `todo_import_check_${randomBytes(4).toString("hex")}`;
    let url: string;
    let work: string;

    const admin = async (sql: string, target = runUrl) => {
      const client = new pg.Client({ connectionString: target });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), "todo-import-check-"));
      await admin(`CREATE DATABASE ${name}`);
      const target = new URL(runUrl);
      target.pathname = `/${name}`;
      url = target.toString();
      const migrated = await runApiCli("src/db/migrate-cli.ts", [], { DATABASE_URL: url });
      expect(migrated.code, migrated.stderr).toBe(0);
    });
    afterAll(async () => {
      await rm(work, { recursive: true, force: true });
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });

    it("a clean pg_dump imports; with a planted trigger, function and column it is refused and nothing is kept", async () => {
      const clean = join(work, "clean.sql");
      await run("pg_dump", ["--no-owner", "--no-privileges", "-f", clean, url]);
      // What the security review did: a trigger that undoes every sign-out, hidden in a dump.
      await admin(
        `CREATE FUNCTION public.keep_signed_in() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN NEW.revoked_at := NULL; RETURN NEW; END $$;
       CREATE TRIGGER keep_signed_in BEFORE UPDATE ON public.sign_ins
         FOR EACH ROW EXECUTE FUNCTION public.keep_signed_in();
       ALTER TABLE public.users ADD COLUMN backdoor text;`,
        url,
      );
      const planted = join(work, "planted.sql");
      await run("pg_dump", ["--no-owner", "--no-privileges", "-f", planted, url]);

      const dir = join(work, "folder");
      const refused = await runApiCli("src/db/import-cli.ts", [planted], { PGLITE_DIR: dir });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("differs from what its migrations");
      expect(refused.stderr).toMatch(/\+ trigger public\.sign_ins\.keep_signed_in/);
      expect(refused.stderr).toMatch(/\+ function public\.keep_signed_in\(\)/);
      expect(refused.stderr).toMatch(/\+ column public\.users\.backdoor text/);
      expect(refused.stderr).toContain("source you trust");
      // Nothing was kept: the same folder takes the clean dump afterwards.
      const imported = await runApiCli("src/db/import-cli.ts", [clean], { PGLITE_DIR: dir });
      expect(imported.stderr).toBe("");
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain("(0 users, 0 tasks)");
    });
  },
);
