import { describe, expect, it } from "vitest";
import { loadEnv } from "../config/env.js";
import { databaseTarget } from "./database.js";

const postgres = (extra: Record<string, string>) => {
  const target = databaseTarget(
    loadEnv({ NODE_ENV: "test", DATABASE_URL: "postgresql://app@db.example:5432/todo", ...extra }),
  );
  if (target.kind !== "postgres") throw new Error("expected PostgreSQL");
  return target;
};

describe("databaseTarget: prepared statements", () => {
  it("keeps the hot queries prepared on a direct connection, and not behind a pooler (DIRECT_DATABASE_URL set)", () => {
    expect(postgres({}).preparedStatements).toBe(true);
    expect(postgres({ DIRECT_DATABASE_URL: "postgresql://app@db.example:5432/todo" }).preparedStatements).toBe(false);
  });

  it("does what DB_PREPARED_STATEMENTS says when it is set", () => {
    expect(postgres({ DB_PREPARED_STATEMENTS: "false" }).preparedStatements).toBe(false);
    expect(
      postgres({ DB_PREPARED_STATEMENTS: "true", DIRECT_DATABASE_URL: "postgresql://app@db.example:5432/todo" })
        .preparedStatements,
    ).toBe(true);
    expect(() => postgres({ DB_PREPARED_STATEMENTS: "maybe" })).toThrow(/DB_PREPARED_STATEMENTS/);
  });
});
