import { defineConfig } from "vitest/config";

// The kit's own unit tests (the contract-conformance check); everything else of it is exercised by the tests
// of the packages that use it.
export default defineConfig({ test: { name: "unit", include: ["src/**/*.test.ts"] } });
