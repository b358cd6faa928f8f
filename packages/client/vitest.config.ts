import { defineConfig } from "vitest/config";

// Unit tests use a fake fetch; the "api" project runs the client against real API processes started by
// test/api-servers.ts (one with normal tokens, one whose access tokens live one second).
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 90_000,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["src/**/*.test.ts"], exclude: ["src/**/*.int.test.ts"] },
      },
      {
        extends: true,
        test: { name: "api", include: ["src/**/*.int.test.ts"], globalSetup: ["test/api-servers.ts"] },
      },
    ],
  },
});
