import { spawnApi } from "@todo/test-kit";
import { describe, expect, inject, it } from "vitest";

// Refused before any database is opened: once is enough, in the process-pglite project.
describe.runIf(inject("database") === "pglite")("start-up configuration checks", () => {
  it("refuses TRUST_PROXY=true in production before opening anything, and says what to set instead", async () => {
    const api = spawnApi({
      NODE_ENV: "production",
      JWT_SECRET: "s".repeat(32),
      TRUST_PROXY: "true",
      PGLITE_DIR: "memory://",
    });
    try {
      const outcome = await Promise.race([api.exited, api.waitUntilListening().then(() => "listening")]);
      expect(outcome).toBe(1);
      expect(api.stderr.join("")).toMatch(/TRUST_PROXY: .*hops.*addresses/s);
      expect(api.logs.some((l) => l.msg === "Todo API listening")).toBe(false);
    } finally {
      api.kill();
    }
  });
});
