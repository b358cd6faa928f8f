import { defineConfig } from "vitest/config";

// End-to-end tests: real API processes on fresh in-memory databases, the production build under `next start`,
// and Debian's Chromium driven by playwright-core. One file at a time: each starts its own servers and browser.
export default defineConfig({
  ssr: { resolve: { conditions: ["source", "module", "node", "development|production"] } },
  resolve: { alias: { "@/": new URL("./src/", import.meta.url).pathname } },
  test: {
    include: ["src/**/*.test.ts", "e2e/**/*.e2e.test.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
