import { randomIp, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("concurrency", () => {
  it.each([
    [50, false],
    [51, true],
  ])("applies %i parallel toggles exactly once each (final completed: %s)", async (toggles, finalState) => {
    const user = await signUp(app);
    const created = await app.request(`/api/v1/${user.id}/tasks`, {
      method: "POST",
      token: user.accessToken,
      body: { title: "flip" },
    });
    const path = `/api/v1/${user.id}/tasks/${created.body.id}`;
    const results = await Promise.all(
      Array.from({ length: toggles }, () =>
        app.request(`${path}/complete`, { method: "PATCH", token: user.accessToken }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    // Each toggle saw a distinct state: the responses alternate, so ceil(n/2) of them report true.
    expect(results.filter((r) => r.body.completed === true)).toHaveLength(Math.ceil(toggles / 2));
    const final = await app.request(path, { token: user.accessToken });
    expect(final.body.completed).toBe(finalState);
  });

  it("30 racing registrations of one email: one 201, the rest 409, never 500", async () => {
    const email = `race-${Date.now()}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        app.request("/api/v1/auth/register", {
          method: "POST",
          // Vary the case: the same address in another case is the same account.
          body: { email: i % 2 ? email.toUpperCase() : email, password: "long enough password" },
          // Thirty people: from one address, the hash queue's per-client share would turn most into 503s.
          headers: { "x-forwarded-for": randomIp() },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(29);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.error.code).toBe("EMAIL_TAKEN");
  });
});
