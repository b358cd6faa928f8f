import { defineConfig } from "vitest/config";

// Three projects: fast unit tests, and the same HTTP integration suite on each database engine.
// Integration and migration tests start PGlite (Postgres compiled to wasm) and the schema engine:
// seconds, not milliseconds, hence the generous timeouts.
export default defineConfig({
  test: {
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["src/**/*.test.ts", "test/**/*.test.ts"], exclude: ["src/**/*.int.test.ts"] },
      },
      {
        extends: true,
        test: { name: "pglite", include: ["src/**/*.int.test.ts"], provide: { database: "pglite" } },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: ["src/**/*.int.test.ts"],
          // The API reference and the third-party consumer test HTTP surfaces, not the database: PGlite runs them.
          exclude: ["src/openapi/**"],
          globalSetup: ["test/postgres-global-setup.ts"],
          provide: { database: "postgres" },
        },
      },
    ],
  },
});
