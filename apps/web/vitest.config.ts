import { defineConfig } from "vitest/config";

// Unit tests, and end-to-end tests: real API processes on fresh in-memory databases, the production build under
// the production server, and Debian's Chromium driven by playwright-core. One file at a time: each starts its own
// servers and browser. Imports resolve as in the app: tsconfig.json's `paths` (the workspace packages' build).
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    include: ["src/**/*.test.ts", "e2e/**/*.e2e.test.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
