import { readFile } from "node:fs/promises";
import SwaggerParser from "@apidevtools/swagger-parser";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { contract } from "@todo/contract";
import { type AppRoute, type AppRouter, isAppRoute } from "@ts-rest/core";
import type { OperationObject, ResponseObject } from "openapi3-ts";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument, COMMITTED_DOCUMENT_FILE, serializeOpenApiDocument } from "./generate-openapi.js";

const document = buildOpenApiDocument();

const routesOf = (router: AppRouter): AppRoute[] =>
  Object.values(router).flatMap((value) => (isAppRoute(value) ? [value] : routesOf(value)));
const operationOf = (route: AppRoute): OperationObject | undefined =>
  document.paths[route.path.replace(/:(\w+)/g, "{$1}")]?.[route.method.toLowerCase()];
const operations = routesOf(contract).map((route) => ({ route, operation: operationOf(route) as OperationObject }));
const responsesOf = (operation: OperationObject) =>
  Object.entries(operation.responses as Record<string, ResponseObject>);

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.0 for an independent validator", async () => {
    // swagger-parser dereferences in place: give it a copy.
    const validated = await SwaggerParser.validate(structuredClone(document) as never);
    expect(validated.info.title).toBe("Todo API");
    expect(document.openapi).toBe("3.0.2");
  });

  it("passes Redocly's recommended rules without errors", async () => {
    const config = await createConfig({ extends: ["recommended"] });
    const problems = await lintFromString({
      source: serializeOpenApiDocument(document),
      absoluteRef: "openapi.json",
      config,
    });
    const errors = problems.filter((p) => p.severity === "error").map((p) => `${p.ruleId}: ${p.message}`);
    expect(errors).toEqual([]);
  });

  it("is what docs/openapi.json holds (otherwise run `pnpm openapi:write`)", async () => {
    expect(await readFile(COMMITTED_DOCUMENT_FILE, "utf8")).toBe(serializeOpenApiDocument(document));
  });

  it("has one operation per contract route, each with a summary and a unique camelCase operationId", () => {
    for (const { route, operation } of operations) {
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation.summary).toBe(route.summary);
      expect(operation.operationId).toMatch(/^[a-z][a-zA-Z]+$/);
    }
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(["authRegister", "tasksToggleComplete", "healthReadiness"]));
  });

  it("asks for the bearer scheme exactly on the routes the contract marks as bearer", () => {
    expect(document.components?.securitySchemes?.bearerAuth).toEqual(
      expect.objectContaining({ type: "http", scheme: "bearer", bearerFormat: "JWT" }),
    );
    for (const { route, operation } of operations) {
      const bearer = (route.metadata as { auth?: string } | undefined)?.auth === "bearer";
      expect(operation.security, `${route.method} ${route.path}`).toEqual(bearer ? [{ bearerAuth: [] }] : []);
    }
    // auth.me, 9 task routes, 5 list routes, the changes feed, 6 account routes.
    expect(operations.filter(({ operation }) => operation.security?.length).length).toBe(22);
  });

  it("describes every declared status, errors with the shared ErrorResponse component", () => {
    for (const { route, operation } of operations) {
      expect(responsesOf(operation).map(([status]) => status)).toEqual(Object.keys(route.responses));
      for (const [status, response] of responsesOf(operation)) {
        expect(response.description).not.toBe(status);
        if (Number(status) >= 400) {
          expect(response.content?.["application/json"]?.schema).toEqual({
            $ref: "#/components/schemas/ErrorResponse",
          });
        }
      }
    }
    const errorSchema = document.components?.schemas?.ErrorResponse;
    expect(JSON.stringify(errorSchema)).toContain("#/components/schemas/ErrorDetail");
  });

  it("documents 422 with per-field details on every route that takes input", () => {
    const withInput = operations.filter(({ route }) => !route.path.startsWith("/healthz") && route.path !== "/readyz");
    expect(withInput.length).toBe(28);
    for (const { operation } of withInput) {
      const unprocessable = (operation.responses as Record<string, ResponseObject>)["422"];
      expect(unprocessable?.description).toContain("error.details");
      expect(unprocessable?.content?.["application/json"]?.example?.error.details.length).toBeGreaterThan(0);
    }
  });

  it("names the shared schemas, so generated clients get Task, Session and friends", () => {
    const list = document.paths["/api/v1/{userId}/tasks"]?.get as OperationObject;
    expect((list.responses as Record<string, ResponseObject>)["200"]?.content?.["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/TaskPage",
    });
    expect(JSON.stringify(document.components?.schemas?.TaskPage)).toContain("#/components/schemas/Task");
    expect(JSON.stringify(document.components?.schemas?.SessionTokens)).toContain("#/components/schemas/User");
  });
});
