import { defineConfig } from "vitest/config";

// Projects by kind of test (docs/testing.md): unit tests use a fake fetch; the process tests run the client against
// real API processes started by test/api-servers.ts (one with normal tokens, one whose access tokens live a few
// seconds); the browser test runs two tabs in Debian's Chromium against an API process of its own.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 90_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["src/**/*.test.ts"],
          exclude: ["src/**/*.int.test.ts", "src/**/*.process.test.ts", "src/**/*.browser.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "process",
          // The client has no in-process API: its `*.int.test.ts` files run against the same API processes.
          include: ["src/**/*.process.test.ts", "src/**/*.int.test.ts"],
          globalSetup: ["test/api-servers.ts"],
        },
      },
      { extends: true, test: { name: "browser", include: ["src/**/*.browser.test.ts"] } },
    ],
  },
});
