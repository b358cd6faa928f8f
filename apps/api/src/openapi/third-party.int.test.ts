import { randomUUID } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startTestApp, type TestApp } from "@todo/test-kit";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMITTED_DOCUMENT_FILE } from "./generate-openapi.js";

const CONSUMER_DIR = join(dirname(fileURLToPath(import.meta.url)), "third-party");
const CONSUMER_FILE = join(CONSUMER_DIR, "consumer.ts");
const SCHEMA_FILE = join(CONSUMER_DIR, "generated/schema.d.ts");

let app: TestApp;

beforeAll(async () => {
  // From the committed file alone, as a third party would: no import of the contract or the server.
  const types = astToString(await openapiTS(pathToFileURL(COMMITTED_DOCUMENT_FILE)));
  await mkdir(dirname(SCHEMA_FILE), { recursive: true });
  const partial = `${SCHEMA_FILE}.${process.pid}.tmp`;
  await writeFile(partial, types);
  await rename(partial, SCHEMA_FILE);
  app = await startTestApp();
});
afterAll(() => app?.close());

describe("a third-party consumer generated from docs/openapi.json", () => {
  it("type-checks against the generated types", () => {
    const program = ts.createProgram([CONSUMER_FILE], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
      types: [],
      skipLibCheck: true,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(problems).toEqual([]);
  });

  it("runs register → login → create → list → toggle → delete against the real server", async () => {
    const email = `third-party-${randomUUID()}@example.com`;
    // Loaded by path so the API's own type-check never follows it to types that exist only after generation.
    const { runTodoFlow } = await import(/* @vite-ignore */ pathToFileURL(CONSUMER_FILE).href);
    const result = await runTodoFlow(app.url, email, "correct horse battery");

    expect(result.statuses).toEqual({
      register: 201,
      login: 200,
      create: 201,
      invalid: 422,
      list: 200,
      toggle: 200,
      delete: 204,
      "list again": 200,
    });
    expect(result.created).toMatchObject({ title: "Send the report", description: "Q3 numbers", completed: false });
    expect(result.listed).toEqual([result.created]);
    expect(result.toggled).toMatchObject({ id: result.created.id, completed: true });
    expect(result.rejected.error).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [expect.objectContaining({ location: "body", field: "title" })],
    });
    expect(result.remaining).toEqual([]);
  });
});
