import { DriverAdapterError } from "@prisma/driver-adapter-utils";
import { describe, expect, it } from "vitest";
import { Prisma } from "../generated/prisma/client.js";
import { isDatabaseUnavailable } from "./database-errors.js";

// The shapes Prisma 7 + @prisma/adapter-pg were seen to throw against a stopped server, an exhausted pool,
// a statement timeout and a terminated backend (see the outage and pool tests for the live versions).
const prismaError = (code: string, cause?: ConstructorParameters<typeof DriverAdapterError>[0]) =>
  new Prisma.PrismaClientKnownRequestError("Invalid invocation", {
    code,
    clientVersion: Prisma.prismaVersion.client,
    meta: cause ? { driverAdapterError: new DriverAdapterError(cause) } : {},
  });
const postgresError = (code: string, message: string) =>
  prismaError("P2010", { kind: "postgres", code, severity: "ERROR", message, originalCode: code } as never);

describe("isDatabaseUnavailable", () => {
  it.each([
    ["a refused socket", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })],
    ["pg-pool's wait running out", new Error("timeout exceeded when trying to connect")],
    ["the server dying mid-query", new Error("Connection terminated unexpectedly")],
    ["an admin shutdown", Object.assign(new Error("terminating connection"), { code: "57P01" })],
    [
      "a wrapped connection failure",
      new Error("wrapped", { cause: Object.assign(new Error("inner"), { code: "08006" }) }),
    ],
    ["P1001 from a model query", prismaError("P1001", { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 })],
    ["P2010 from $queryRaw, server unreachable", prismaError("P2010", { kind: "DatabaseNotReachable" })],
    ["a closed connection", prismaError("P2010", { kind: "ConnectionClosed" })],
    ["too many connections", prismaError("P2037", { kind: "TooManyConnections", cause: "sorry" })],
    ["a statement timeout", postgresError("57014", "canceling statement due to statement timeout")],
    ["a lock timeout", postgresError("55P03", "canceling statement due to lock timeout")],
    ["a deadlock PostgreSQL broke by aborting this transaction", postgresError("40P01", "deadlock detected")],
    ["a serialization failure", postgresError("40001", "could not serialize access due to concurrent update")],
    ["a terminated backend", postgresError("57P01", "terminating connection due to administrator command")],
    ["a server starting up", postgresError("57P03", "the database system is starting up")],
  ])("recognises %s", (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ["a plain error", new Error("syntax error")],
    ["a unique violation (SQLSTATE)", Object.assign(new Error("unique"), { code: "23505" })],
    ["a unique violation (Prisma)", prismaError("P2002", { kind: "UniqueConstraintViolation" })],
    ["a syntax error in raw SQL", postgresError("42601", 'syntax error at or near "SELEC"')],
    ["a bad value in raw SQL", prismaError("P2010", { kind: "InvalidInputValue", message: "invalid input syntax" })],
    ["null", null],
    ["a string", "string"],
  ])("does not mistake %s for an outage", (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it("survives a cause cycle", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    Object.assign(a, { cause: b });
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});
