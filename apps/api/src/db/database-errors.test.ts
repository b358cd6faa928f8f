import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./database-errors.js";

describe("isDatabaseUnavailable", () => {
  it.each([
    Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
    new Error("timeout exceeded when trying to connect"),
    Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
    new Error("wrapped", { cause: Object.assign(new Error("inner"), { code: "08006" }) }),
    Object.assign(new Error("prisma"), { code: "P1001" }),
  ])("recognises %s", (err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    new Error("syntax error"),
    Object.assign(new Error("unique"), { code: "23505" }),
    Object.assign(new Error("unique"), { code: "P2002" }),
    null,
    "string",
  ])("does not mistake %s for an outage", (err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
