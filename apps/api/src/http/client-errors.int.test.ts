import { setTimeout as delay } from "node:timers/promises";
import { type SignedUpUser, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let app: TestApp;
let user: SignedUpUser;
beforeAll(async () => {
  app = await startTestApp({ REQUEST_TIMEOUT_MS: "5000" });
  user = await signUp(app);
});
afterAll(() => app.close());

const errorLines = (from = 0) =>
  app.logs
    .slice(from)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.level === "error" || e.level === "fatal");

describe("Express's own client errors", () => {
  it.each([
    ["a user id", "/api/v1/%ZZ/tasks"],
    ["a task id", "/api/v1/{user}/tasks/%E0%A4%A"],
    ["an unauthenticated path", "/api/v1/%/tasks"],
  ])("broken percent-encoding in %s → 400 in the error body, nothing logged as a fault", async (_, path) => {
    const from = app.logs.length;
    const res = await app.request(path.replace("{user}", user.id), { token: user.accessToken });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "BAD_REQUEST", message: expect.any(String), details: [] } });
    expect(res.text).not.toMatch(/URIError|at .*\.js|node_modules/);
    expect(errorLines(from)).toEqual([]);
  });
});

describe("a handler that finishes after the request deadline answered", () => {
  it("answers 503 at the deadline and logs the late outcome without an unhandled ERR_HTTP_HEADERS_SENT", async () => {
    const from = app.logs.length;
    const created = await app.request(`/api/v1/${user.id}/tasks`, {
      method: "POST",
      token: user.accessToken,
      body: { title: "locked" },
    });
    // Hold the task's row (PGlite: the whole database) longer than the 5 s deadline, then let go.
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const lock = app.server.db.prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM tasks WHERE id = ${created.body.id}::uuid FOR UPDATE`;
        locked();
        await delay(6_500);
      },
      { timeout: 10_000 },
    );
    await holding;
    const res = await app.request(`/api/v1/${user.id}/tasks/${created.body.id}`, {
      method: "PUT",
      token: user.accessToken,
      body: { title: "late" },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBeTruthy();
    await lock;
    // The late handler runs once the row is free; give it a moment to try to answer.
    await delay(500);
    expect(app.logs.slice(from).join("\n")).not.toContain("ERR_HTTP_HEADERS_SENT");
    expect(errorLines(from)).toEqual([]);
  });
});
