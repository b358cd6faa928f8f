import {
  CamelCasePlugin,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from "kysely";
import { describe, expect, it } from "vitest";
import { compiledOnce } from "./compiled-once.js";
import type { Tables } from "./kysely.js";

// Compiles only: a Kysely that cannot reach a database.
const db = new Kysely<Tables>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
  plugins: [new CamelCasePlugin()],
});

describe("compiledOnce", () => {
  let builds = 0;
  const query = compiledOnce((shape: { done: boolean }, v: { owner: string; done: boolean; limit: number }) => {
    builds++;
    let q = db.selectFrom("tasks").select(["id", "userId"]).where("userId", "=", v.owner);
    if (shape.done) q = q.where("completed", "=", v.done);
    return q.where("priority", ">", 0).limit(v.limit);
  });

  it("compiles once per shape and puts each call's values in their places", () => {
    const a = query({ done: false }, { owner: "u1", done: true, limit: 5 });
    const b = query({ done: false }, { owner: "u2", done: false, limit: 9 });
    expect(builds).toBe(1);
    expect(a.sql).toBe(b.sql);
    expect(a.sql).toBe('select "id", "user_id" from "tasks" where "user_id" = $1 and "priority" > $2 limit $3');
    // Constants written in the query stay; the values come from each call.
    expect(a.parameters).toEqual(["u1", 0, 5]);
    expect(b.parameters).toEqual(["u2", 0, 9]);

    const c = query({ done: true }, { owner: "u3", done: true, limit: 1 });
    expect(builds).toBe(2);
    expect(c.sql).toContain('"completed" = $2');
    expect(c.parameters).toEqual(["u3", true, 0, 1]);
    // The same as building the query afresh with the values.
    const fresh = db
      .selectFrom("tasks")
      .select(["id", "userId"])
      .where("userId", "=", "u3")
      .where("completed", "=", true)
      .where("priority", ">", 0)
      .limit(1)
      .compile();
    expect({ sql: c.sql, parameters: c.parameters }).toEqual({ sql: fresh.sql, parameters: fresh.parameters });
  });
});
