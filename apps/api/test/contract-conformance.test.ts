import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  assertConformsToContract,
  ContractViolation,
  findContractRoute,
  type ObservedResponse,
} from "./contract-conformance.js";

const task = {
  id: randomUUID(),
  userId: "u1",
  title: "Buy milk",
  description: null,
  completed: false,
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
  listId: null,
  dueDate: null,
  priority: "none",
  position: "a0",
  completedAt: null,
  version: 1,
};
const error = (code: string) => ({ error: { code, message: "m", details: [] } });

const observed = (overrides: Partial<ObservedResponse>): ObservedResponse => {
  const body = overrides.body ?? task;
  return {
    method: "GET",
    path: "/api/v1/u1/tasks/t1",
    status: 200,
    contentType: "application/json; charset=utf-8",
    text: JSON.stringify(body),
    ...overrides,
    body,
  };
};

describe("findContractRoute", () => {
  it("matches as Express does: params, query strings, trailing slashes and case", () => {
    expect(findContractRoute("GET", "/api/v1/auth/me")?.name).toBe("auth.me");
    expect(findContractRoute("get", "/api/v1/U1/tasks?limit=5&cursor=x")?.name).toBe("tasks.list");
    expect(findContractRoute("PATCH", "/api/v1/u1/tasks/t1/complete/")?.name).toBe("tasks.toggleComplete");
    expect(findContractRoute("POST", "/API/V1/AUTH/LOGIN")?.name).toBe("auth.login");
  });

  it("finds nothing for paths and methods outside the contract", () => {
    expect(findContractRoute("GET", "/docs")).toBeUndefined();
    expect(findContractRoute("GET", "/api/v1/openapi.json")).toBeUndefined();
    expect(findContractRoute("POST", "/api/v1/auth/me")).toBeUndefined();
    expect(findContractRoute("GET", "/api/v1//tasks")).toBeUndefined();
    expect(findContractRoute("GET", "/api/v1/u1/tasks/t1/extra")).toBeUndefined();
  });
});

describe("assertConformsToContract", () => {
  it("accepts declared statuses with bodies of their schema", () => {
    expect(() => assertConformsToContract(observed({}))).not.toThrow();
    expect(() => assertConformsToContract(observed({ status: 404, body: error("NOT_FOUND") }))).not.toThrow();
    expect(() =>
      assertConformsToContract(observed({ method: "DELETE", status: 204, text: "", body: "", contentType: null })),
    ).not.toThrow();
  });

  it("rejects a status the route does not declare", () => {
    expect(() => assertConformsToContract(observed({ status: 409, body: error("EMAIL_TAKEN") }))).toThrow(
      /tasks\.get: undeclared status/,
    );
  });

  it("rejects a body its schema does not accept", () => {
    expect(() => assertConformsToContract(observed({ body: { ...task, completed: "yes" } }))).toThrow(
      ContractViolation,
    );
    expect(() => assertConformsToContract(observed({ status: 422, body: error("NO_SUCH_CODE") }))).toThrow(
      /body does not match/,
    );
  });

  it("rejects a body on a no-body response, and a body that is not JSON", () => {
    expect(() => assertConformsToContract(observed({ method: "DELETE", status: 204, text: "{}" }))).toThrow(
      /declared without a body/,
    );
    expect(() => assertConformsToContract(observed({ contentType: "text/html" }))).toThrow(/not JSON/);
  });

  it("leaves paths outside the contract alone", () => {
    expect(() =>
      assertConformsToContract(observed({ path: "/docs", status: 200, contentType: "text/html" })),
    ).not.toThrow();
  });
});
