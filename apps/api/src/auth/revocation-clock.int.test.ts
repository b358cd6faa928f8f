import { signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

const overrides = { ACCESS_TOKEN_TTL: "60s", REVOCATION_SYNC_MS: "200" };
let app: TestApp;
/** A second API process on the same database (PostgreSQL); on PGlite the database belongs to one process. */
let other: TestApp;
beforeAll(async () => {
  app = await startTestApp(overrides);
  other = app.database === "postgres" ? await startTestApp(overrides) : app;
});
afterAll(async () => {
  if (other !== app) await other.close();
  await app.close();
});
afterEach(() => vi.useRealTimers());

const waitForRevocationSync = () => new Promise((r) => setTimeout(r, 800));

/**
 * Sets the API hosts' clock (this process's `Date`) off the database's. On PGlite the database runs in this
 * process on the same clock, so the skew reaches both and only PostgreSQL, which keeps its own, can tell.
 */
function skewHostClock(ms: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(Date.now() + ms));
}

describe("revocation sync on the database's clock", () => {
  it.each([
    ["behind", -2 * 3600_000],
    ["ahead of", 2 * 3600_000],
  ])("a sign-out reaches every process when the hosts' clock runs %s the database's", async (_, skewMs) => {
    skewHostClock(skewMs);
    const user = await signUp(app);
    expect((await other.request("/api/v1/auth/me", { token: user.accessToken })).status).toBe(200);
    const out = await app.request("/api/v1/auth/logout", { method: "POST", body: { refreshToken: user.refreshToken } });
    expect(out.status).toBe(204);
    await waitForRevocationSync();
    expect((await other.request("/api/v1/auth/me", { token: user.accessToken })).status).toBe(401);
    expect((await app.request("/api/v1/auth/me", { token: user.accessToken })).status).toBe(401);
  });
});
