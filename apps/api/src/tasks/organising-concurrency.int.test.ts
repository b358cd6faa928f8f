import type { Task } from "@todo/contract";
import { holdLock, type SignedUpUser, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

// Check-then-act under concurrent requests: quotas, the last position of a create, and moves.
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ MAX_TASKS_PER_USER: "5", MAX_LISTS_PER_USER: "3" });
});
afterAll(() => app.close());

const call = (user: SignedUpUser, method: string, suffix: string, body?: unknown) =>
  app.request(`/api/v1/${user.id}${suffix}`, { method, token: user.accessToken, body });
const manualOrder = async (user: SignedUpUser): Promise<Task[]> =>
  (await call(user, "GET", "/tasks?limit=100")).body.items;

describe("quotas", () => {
  it("holds the task quota under 30 concurrent creates: exactly 5 are created, with distinct positions", async () => {
    const user = await signUp(app);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(user, "POST", "/tasks", { title: `t${i}` })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(25);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.error.code).toBe("QUOTA_EXCEEDED");
    const items = await manualOrder(user);
    expect(items).toHaveLength(5);
    expect(new Set(items.map((t) => t.position)).size).toBe(5);
    // Creation order is manual order: every concurrent create went last, one after another.
    expect(items.map((t) => t.createdAt)).toEqual(items.map((t) => t.createdAt).sort());

    // Room again after a delete; the quota is per user.
    expect((await call(user, "DELETE", `/tasks/${items[0]!.id}`)).status).toBe(204);
    expect((await call(user, "POST", "/tasks", { title: "again" })).status).toBe(201);
    expect((await call(user, "POST", "/tasks", { title: "one too many" })).status).toBe(409);
    expect((await call(await signUp(app), "POST", "/tasks", { title: "someone else" })).status).toBe(201);
  });

  it("holds the list quota under 20 concurrent creates: exactly 3 are created", async () => {
    const user = await signUp(app);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(user, "POST", "/lists", { name: `list ${i}` })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === "QUOTA_EXCEEDED")).toHaveLength(17);
    expect((await call(user, "GET", "/lists")).body.items).toHaveLength(3);
  });

  it("creates one list of a name when 10 requests race with the same name in different cases", async () => {
    const user = await signUp(app);
    const names = ["Home", "HOME", "home", "hOme", "Home ", " home", "HoMe", "homE", "HOme", "hoME"];
    const results = await Promise.all(names.map((name) => call(user, "POST", "/lists", { name })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === "LIST_NAME_TAKEN")).toHaveLength(9);
  });
});

describe("concurrent moves", () => {
  it("leave one total order with distinct positions", async () => {
    const mover = await signUp(app);
    // Quota 5 here: five tasks, moved 40 times at once in every direction.
    const tasks: Task[] = [];
    for (let i = 0; i < 5; i++) tasks.push((await call(mover, "POST", "/tasks", { title: `m${i}` })).body);
    const moves = Array.from({ length: 40 }, (_, i) => {
      const task = tasks[i % 5]!;
      const after = i % 7 === 0 ? null : tasks[(i * 3 + 1) % 5]!.id;
      return call(mover, "POST", `/tasks/${task.id}/move`, { afterId: after });
    });
    const results = await Promise.all(moves);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    const items = await manualOrder(mover);
    const positions = items.map((t) => t.position);
    expect(items.map((t) => t.id).sort()).toEqual(tasks.map((t) => t.id).sort());
    expect(new Set(positions).size).toBe(5);
    expect(positions).toEqual([...positions].sort());
    // Pages agree with the one-page order.
    const first = await call(mover, "GET", "/tasks?limit=2");
    const second = await call(mover, "GET", `/tasks?limit=2&cursor=${first.body.nextCursor}`);
    const third = await call(mover, "GET", `/tasks?limit=2&cursor=${second.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items, ...third.body.items].map((t: Task) => t.id)).toEqual(
      items.map((t) => t.id),
    );
  });
});

describe.runIf(inject("database") === "postgres")("one person's burst of creates", () => {
  it("sends two of them at a time to wait on the owner's lock (OWNER_WRITES_IN_DATABASE); the rest queue in the API", async () => {
    const user = await signUp(app);
    // The owner's lock, as create_task takes it: every create of this user waits until it is released.
    const held = await holdLock(inject("databaseUrl")!, "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE", [
      user.id,
    ]);
    let burst: Promise<{ status: number; body: { error?: { code: string } } }[]> | undefined;
    try {
      burst = Promise.all(Array.from({ length: 12 }, (_, i) => call(user, "POST", "/tasks", { title: `b${i}` })));
      await held.waitForQueued(2);
      // Time for the other ten to arrive: without the gate each would hold a pool connection waiting on the lock.
      await new Promise((r) => setTimeout(r, 300));
      expect(await held.countQueued()).toBe(2);
      // Somebody else's writes are not held back by the burst.
      expect((await call(await signUp(app), "POST", "/tasks", { title: "someone else" })).status).toBe(201);
    } finally {
      await held.release();
    }
    const results = await burst;
    // Quota 5 here: the queued creates all ran once the lock was free, one after another.
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    expect(results.filter((r) => r.status === 409 && r.body.error?.code === "QUOTA_EXCEEDED")).toHaveLength(7);
    expect(new Set((await manualOrder(user)).map((t) => t.position)).size).toBe(5);
  });
});
