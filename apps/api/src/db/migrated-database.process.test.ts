import { describe, expect, inject, it } from "vitest";
import { MIGRATION_PATHS } from "../config/paths.js";
import { createLogger } from "../lib/logger.js";
import { openMigratedDatabase } from "./migrated-database.js";

// On a PGlite of its own: the process-pglite project runs it.
describe.runIf(inject("database") === "pglite")("openMigratedDatabase", () => {
  it("applies the API's migrations, then finds nothing pending", async () => {
    const { db, applied } = await openMigratedDatabase({ kind: "pglite", dir: "memory://" }, createLogger("silent"));
    try {
      expect(applied.length).toBeGreaterThan(0);
      await db.ping(5_000);
    } finally {
      await db.close();
    }
  });

  it("refuses to start without its migrations rather than serving an empty schema", async () => {
    const paths = { ...MIGRATION_PATHS, migrationsDir: "/nonexistent/prisma/migrations" };
    await expect(
      openMigratedDatabase({ kind: "pglite", dir: "memory://" }, createLogger("silent"), { paths }),
    ).rejects.toThrow(/No migrations at \/nonexistent/);
  });
});
