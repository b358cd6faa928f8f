import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// Projects by kind of test (docs/testing.md), told apart by the file's suffix:
//   unit     *.test.ts          no server, no database server, no child process: seconds
//   http     *.int.test.ts      the API in-process (@todo/test-kit's startTestApp), on PGlite and on PostgreSQL
//   process  *.process.test.ts  API processes, tools, migrations and servers of the test's own; on both engines
//   browser  *.browser.test.ts  Debian's Chromium
// The http and process kinds run once per engine: `inject("database")` says which, and a test that concerns one
// engine only runs there. Integration tests start PGlite (wasm) and the schema engine: seconds, not milliseconds,
// hence the generous timeouts.
const postgresSetup = createRequire(import.meta.url).resolve("@todo/test-kit/postgres-setup");
const KINDS = ["src/**/*.int.test.ts", "src/**/*.process.test.ts", "src/**/*.browser.test.ts"];

export default defineConfig({
  test: {
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "unit", include: ["src/**/*.test.ts", "test/**/*.test.ts"], exclude: KINDS } },
      {
        extends: true,
        test: { name: "http-pglite", include: ["src/**/*.int.test.ts"], provide: { database: "pglite" } },
      },
      {
        extends: true,
        test: {
          name: "http-postgres",
          include: ["src/**/*.int.test.ts"],
          // The API reference and the third-party consumer test HTTP surfaces, not the database: PGlite runs them.
          exclude: ["src/openapi/**"],
          globalSetup: [postgresSetup],
          provide: { database: "postgres" },
        },
      },
      {
        extends: true,
        test: { name: "process-pglite", include: ["src/**/*.process.test.ts"], provide: { database: "pglite" } },
      },
      {
        extends: true,
        test: {
          name: "process-postgres",
          include: ["src/**/*.process.test.ts"],
          globalSetup: [postgresSetup],
          provide: { database: "postgres" },
        },
      },
      {
        extends: true,
        test: { name: "browser", include: ["src/**/*.browser.test.ts"], provide: { database: "pglite" } },
      },
    ],
  },
});
