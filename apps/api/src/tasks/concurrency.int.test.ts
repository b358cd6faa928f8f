import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestApp, type TestApp } from "../../test/harness.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("concurrency", () => {
  it("applies 50 parallel toggles exactly once each", async () => {
    const user = await signUp(app);
    const task = (
      await app.request(`/api/v1/${user.id}/tasks`, {
        method: "POST",
        token: user.accessToken,
        body: { title: "flip" },
      })
    ).body;
    const path = `/api/v1/${user.id}/tasks/${task.id}/complete`;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => app.request(path, { method: "PATCH", token: user.accessToken })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    // Each toggle saw a distinct state: exactly half of the responses report true.
    expect(results.filter((r) => r.body.completed === true)).toHaveLength(25);
    const final = await app.request(`/api/v1/${user.id}/tasks/${task.id}`, { token: user.accessToken });
    expect(final.body.completed).toBe(false);
  });

  it("51 parallel toggles leave the task completed", async () => {
    const user = await signUp(app);
    const task = (
      await app.request(`/api/v1/${user.id}/tasks`, {
        method: "POST",
        token: user.accessToken,
        body: { title: "flip" },
      })
    ).body;
    const path = `/api/v1/${user.id}/tasks/${task.id}/complete`;
    await Promise.all(
      Array.from({ length: 51 }, () => app.request(path, { method: "PATCH", token: user.accessToken })),
    );
    const final = await app.request(`/api/v1/${user.id}/tasks/${task.id}`, { token: user.accessToken });
    expect(final.body.completed).toBe(true);
  });

  it("30 racing registrations of one email: one 201, the rest 409, never 500", async () => {
    const email = `race-${Date.now()}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        app.request("/api/v1/auth/register", {
          method: "POST",
          // Vary the case: the same address in another case is the same account.
          body: { email: i % 2 ? email.toUpperCase() : email, password: "long enough password" },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(29);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.error.code).toBe("EMAIL_TAKEN");
  });
});
