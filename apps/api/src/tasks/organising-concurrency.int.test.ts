import type { Task } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SignedUpUser, signUp, startTestApp, type TestApp } from "../../test/harness.js";

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
