import { holdLock, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

// Connection pools and statement timeouts are PostgreSQL-server features; PGlite has neither.
const runs = inject("database") === "postgres";

const CONNECTION_TIMEOUT_MS = 600;
const STATEMENT_TIMEOUT_MS = 800;
const REQUEST_DEADLINE_MS = 1_000;

describe.runIf(runs)("bounded waits on PostgreSQL", () => {
  let pooled: TestApp;
  let impatient: TestApp;
  let hurried: TestApp;
  beforeAll(async () => {
    [pooled, impatient, hurried] = await Promise.all([
      startTestApp({
        DB_POOL_MAX: "2",
        DB_CONNECTION_TIMEOUT_MS: String(CONNECTION_TIMEOUT_MS),
        // Keeps the background poll from taking one of the two connections at the wrong moment.
        REVOCATION_SYNC_MS: "60000",
      }),
      startTestApp({ DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) }),
      // The database would wait longer than the HTTP deadline allows.
      startTestApp({ REQUEST_TIMEOUT_MS: String(REQUEST_DEADLINE_MS), DB_STATEMENT_TIMEOUT_MS: "5000" }),
    ]);
  });
  afterAll(() => Promise.all([pooled?.close(), impatient?.close(), hurried?.close()]));

  async function newTask(app: TestApp) {
    const user = await signUp(app);
    const created = await app.request(`/api/v1/${user.id}/tasks`, {
      method: "POST",
      token: user.accessToken,
      body: { title: "locked" },
    });
    return { user, task: created.body, path: `/api/v1/${user.id}/tasks/${created.body.id}` };
  }

  it("an exhausted pool answers 503 after DB_CONNECTION_TIMEOUT_MS, never queues forever", async () => {
    const app = pooled;
    const first = await newTask(app);
    const second = await newTask(app);
    const lock = await holdLock(inject("databaseUrl")!, "SELECT 1 FROM tasks WHERE id = ANY($1::uuid[]) FOR UPDATE", [
      [first.task.id, second.task.id],
    ]);
    // Two toggles wait on the row locks, each holding one of the pool's two connections.
    const holding = [first, second].map(({ user, path }) =>
      app.request(`${path}/complete`, { method: "PATCH", token: user.accessToken }),
    );
    await lock.waitForBlocked(2);
    const { user, path } = first;

    const started = performance.now();
    const starved = await Promise.all(
      Array.from({ length: 20 }, () => app.request(`/api/v1/${user.id}/tasks`, { token: user.accessToken })),
    );
    const elapsed = performance.now() - started;
    for (const res of starved) {
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("SERVICE_UNAVAILABLE");
    }
    expect(elapsed).toBeGreaterThanOrEqual(CONNECTION_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(CONNECTION_TIMEOUT_MS + 1_500);
    expect((await app.request("/readyz")).status).toBe(503);

    await lock.release();
    const held = await Promise.all(holding);
    expect(held.map((r) => r.status)).toEqual([200, 200]);
    // The waiting toggles went through once the lock was gone; the starved reads changed nothing.
    expect((await app.request(path, { token: user.accessToken })).body.completed).toBe(true);
    expect((await app.request("/readyz")).status).toBe(200);
  });

  /** A toggle of a task whose row another connection keeps locked, timed: it waits until something gives. */
  async function toggleLockedTask(app: TestApp) {
    const { user, task, path } = await newTask(app);
    const lock = await holdLock(inject("databaseUrl")!, "SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", [task.id]);
    const started = performance.now();
    const res = await app.request(`${path}/complete`, { method: "PATCH", token: user.accessToken });
    const elapsed = performance.now() - started;
    await lock.release();
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("SERVICE_UNAVAILABLE");
    return {
      res,
      elapsed,
      completedNow: async () => (await app.request(path, { token: user.accessToken })).body.completed,
    };
  }

  it("a statement over DB_STATEMENT_TIMEOUT_MS is cancelled: 503, and its change is not applied", async () => {
    const app = impatient;
    const { res, elapsed, completedNow } = await toggleLockedTask(app);
    expect(res.text).not.toMatch(/statement|timeout|SQL|canceling/i);
    expect(elapsed).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(STATEMENT_TIMEOUT_MS + 1_500);
    expect(await completedNow()).toBe(false);
    expect(app.logs.some((line) => line.includes("database unavailable") && line.includes("statement timeout"))).toBe(
      true,
    );
  });

  it("a request still unanswered at REQUEST_TIMEOUT_MS gets a 503 then, whatever it waits on", async () => {
    const app = hurried;
    const { res, elapsed } = await toggleLockedTask(app);
    expect(res.headers.get("connection")).toBe("close");
    expect(elapsed).toBeGreaterThanOrEqual(REQUEST_DEADLINE_MS - 50);
    expect(elapsed).toBeLessThan(REQUEST_DEADLINE_MS + 1_000);
    // The handler finishing late, after the 503, harms nothing.
    await new Promise((r) => setTimeout(r, 200));
    expect((await app.request("/healthz")).status).toBe(200);
    expect(app.logs.some((line) => line.includes("request deadline exceeded"))).toBe(true);
  });
});
