import { defineConfig } from "vitest/config";

// Projects by kind of test (docs/testing.md): unit tests of src/; process tests (`*.int.test.ts` and
// `*.process.test.ts`: the web app has no in-process API) against real API processes of @todo/test-kit; and the
// browser tests of e2e/: real API processes on fresh in-memory databases, the production build under the
// production server, and Debian's Chromium driven by playwright-core. One file at a time: each starts its own
// servers and browser.
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    globalSetup: ["e2e/global-setup.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "scripts/**/*.test.ts"],
          exclude: ["src/**/*.int.test.ts", "src/**/*.process.test.ts", "src/**/*.browser.test.ts"],
          globalSetup: [],
        },
      },
      { extends: true, test: { name: "process", include: ["src/**/*.int.test.ts", "src/**/*.process.test.ts"] } },
      { extends: true, test: { name: "browser", include: ["e2e/**/*.test.ts", "src/**/*.browser.test.ts"] } },
    ],
  },
});
