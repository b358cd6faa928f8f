import { PGlite } from "@electric-sql/pglite";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kyselyOnPglite, type Sql } from "./kysely.js";

// The PGlite driver: a Kysely transaction holds PGlite's transaction lock, so queries from elsewhere on the same
// instance (Prisma's adapter, ping) wait for it instead of running inside it.
let client: PGlite;
let db: Sql;

beforeAll(async () => {
  client = await PGlite.create();
  await client.exec("CREATE TABLE t (n int); CREATE TABLE d (day date)");
  db = kyselyOnPglite(client);
});
afterAll(() => client.close());

const count = async () => (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM t")).rows[0]!.n;

describe("Kysely on PGlite", () => {
  it("keeps other callers' queries out of an open transaction until it commits", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted: () => void = () => undefined;
    const insertedYet = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const tx = db.transaction().execute(async (trx) => {
      await sql`INSERT INTO t VALUES (1)`.execute(trx);
      inserted();
      await held;
      await sql`INSERT INTO t VALUES (2)`.execute(trx);
    });
    await insertedYet;
    let seen: number | undefined;
    const outside = count().then((n) => {
      seen = n;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toBeUndefined(); // waiting for the transaction, not running inside it
    release();
    await tx;
    await outside;
    expect(seen).toBe(2);
  });

  it("rolls back everything when the transaction fails", async () => {
    const before = await count();
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`INSERT INTO t VALUES (3)`.execute(trx);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await count()).toBe(before);
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`INSERT INTO t VALUES (4)`.execute(trx);
        await sql`SELECT 1/0`.execute(trx);
      }),
    ).rejects.toThrow();
    expect(await count()).toBe(before);
  });

  it("reads dates as YYYY-MM-DD text and reports affected rows", async () => {
    await sql`INSERT INTO d VALUES ('0099-02-28'), ('2026-12-24')`.execute(db);
    const rows = await sql<{ day: string }>`SELECT day FROM d ORDER BY day`.execute(db);
    expect(rows.rows.map((r) => r.day)).toEqual(["0099-02-28", "2026-12-24"]);
    const result = await sql`DELETE FROM d`.execute(db);
    expect(result.numAffectedRows).toBe(2n);
  });
});
