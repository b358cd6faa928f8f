import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SignedUpUser, signUp, startTestApp, type TestApp } from "../../test/harness.js";

let app: TestApp;
let alice: SignedUpUser;

beforeAll(async () => {
  app = await startTestApp();
  alice = await signUp(app);
});
afterAll(() => app.close());

const tasksPath = (user: SignedUpUser, suffix = "") => `/api/v1/${user.id}/tasks${suffix}`;

async function createTask(user: SignedUpUser, body: unknown) {
  return app.request(tasksPath(user), { method: "POST", token: user.accessToken, body });
}

describe("tasks CRUD", () => {
  it("creates a task with trimmed title and null description", async () => {
    const res = await createTask(alice, { title: "  Buy milk  " });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      userId: alice.id,
      title: "Buy milk",
      description: null,
      completed: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      // Organising fields (additive): no list, no date, no priority, last in the manual order, not completed.
      listId: null,
      dueDate: null,
      priority: "none",
      position: expect.stringMatching(/^[0-9A-Za-z]+$/),
      completedAt: null,
      // Retries and sync: every task starts at version 1 (its ETag).
      version: 1,
    });
    expect(res.headers.get("etag")).toBe('"1"');
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
  });

  it("gets, updates partially, toggles and deletes a task", async () => {
    const created = (await createTask(alice, { title: "Write report", description: "Q3 numbers" })).body;
    const path = tasksPath(alice, `/${created.id}`);

    const got = await app.request(path, { token: alice.accessToken });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created);

    const renamed = await app.request(path, {
      method: "PUT",
      token: alice.accessToken,
      body: { title: " Write the report " },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ title: "Write the report", description: "Q3 numbers", completed: false });

    const cleared = await app.request(path, {
      method: "PUT",
      token: alice.accessToken,
      body: { description: null, completed: true },
    });
    expect(cleared.body).toMatchObject({ title: "Write the report", description: null, completed: true });
    expect(new Date(cleared.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());

    const toggled = await app.request(`${path}/complete`, { method: "PATCH", token: alice.accessToken });
    expect(toggled.status).toBe(200);
    expect(toggled.body.completed).toBe(false);
    const toggledBack = await app.request(`${path}/complete`, { method: "PATCH", token: alice.accessToken });
    expect(toggledBack.body.completed).toBe(true);

    const deleted = await app.request(path, { method: "DELETE", token: alice.accessToken });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect((await app.request(path, { token: alice.accessToken })).status).toBe(404);
    expect((await app.request(path, { method: "DELETE", token: alice.accessToken })).status).toBe(404);
  });

  it("answers 404 for unknown ids and for ids that are not ids, on every task route", async () => {
    for (const id of [randomUUID(), "not-a-uuid", "1", "%27%20OR%201%3D1--"]) {
      const path = tasksPath(alice, `/${id}`);
      const responses = await Promise.all([
        app.request(path, { token: alice.accessToken }),
        app.request(path, { method: "PUT", token: alice.accessToken, body: { title: "x" } }),
        app.request(path, { method: "DELETE", token: alice.accessToken }),
        app.request(`${path}/complete`, { method: "PATCH", token: alice.accessToken }),
      ]);
      for (const res of responses) {
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe("NOT_FOUND");
      }
    }
  });
});

describe("task validation (422 with per-field details, nothing changed)", () => {
  const invalidCreates: [string, unknown, string][] = [
    ["missing title", {}, "title"],
    ["empty title", { title: "" }, "title"],
    ["whitespace title", { title: "   " }, "title"],
    ["title too long", { title: "x".repeat(201) }, "title"],
    ["title not a string", { title: 42 }, "title"],
    ["description too long", { title: "ok", description: "d".repeat(1001) }, "description"],
    ["unknown field userId", { title: "ok", userId: "someone-else" }, "userId"],
    ["unknown field id", { title: "ok", id: randomUUID() }, "id"],
    ["unknown field completed on create", { title: "ok", completed: true }, "completed"],
    ["unknown field createdAt", { title: "ok", createdAt: "2020-01-01T00:00:00Z" }, "createdAt"],
  ];

  it.each(invalidCreates)("POST refuses %s", async (_name, body, field) => {
    const before = await app.request(tasksPath(alice, "?limit=100"), { token: alice.accessToken });
    const res = await createTask(alice, body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ location: "body", field }));
    const after = await app.request(tasksPath(alice, "?limit=100"), { token: alice.accessToken });
    expect(after.body.items).toEqual(before.body.items);
  });

  it("accepts a title of exactly 200 characters and a description of 1000", async () => {
    const res = await createTask(alice, { title: "t".repeat(200), description: "d".repeat(1000) });
    expect(res.status).toBe(201);
    expect(res.body.title).toHaveLength(200);
  });

  it("PUT refuses an empty body, unknown fields and bad types, leaving the task unchanged", async () => {
    const task = (await createTask(alice, { title: "Stable" })).body;
    const path = tasksPath(alice, `/${task.id}`);
    for (const body of [{}, { userId: "x" }, { title: "" }, { completed: "yes" }, { id: randomUUID(), title: "a" }]) {
      const res = await app.request(path, { method: "PUT", token: alice.accessToken, body });
      expect(res.status).toBe(422);
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    const after = await app.request(path, { token: alice.accessToken });
    expect(after.body).toEqual(task);
  });

  it("refuses a non-object JSON body with 422", async () => {
    for (const rawBody of ["[]", '"title"', "null", "42"]) {
      const res = await app.request(tasksPath(alice), {
        method: "POST",
        token: alice.accessToken,
        rawBody,
        headers: { "content-type": "application/json" },
      });
      expect([400, 422]).toContain(res.status);
      expect(res.body.error).toBeDefined();
    }
  });
});

describe("listing", () => {
  let bob: SignedUpUser;
  const titles: string[] = [];

  beforeAll(async () => {
    bob = await signUp(app);
    for (let i = 0; i < 7; i++) {
      const title = `task ${i}`;
      titles.push(title);
      const res = await createTask(bob, { title });
      if (i % 2 === 0) {
        await app.request(tasksPath(bob, `/${res.body.id}/complete`), { method: "PATCH", token: bob.accessToken });
      }
    }
  });

  it("lists oldest first with the default page size", async () => {
    const res = await app.request(tasksPath(bob), { token: bob.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.items.map((t: { title: string }) => t.title)).toEqual(titles);
    expect(res.body.nextCursor).toBeNull();
  });

  it("pages with a stable cursor that neither repeats nor skips", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=3&cursor=${encodeURIComponent(cursor)}` : "?limit=3";
      const res = await app.request(tasksPath(bob, query), { token: bob.accessToken });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((t: { title: string }) => t.title));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(titles);
  });

  it("keeps pages stable when tasks are added while paging", async () => {
    const carol = await signUp(app);
    for (const t of ["a", "b", "c"]) await createTask(carol, { title: t });
    const first = await app.request(tasksPath(carol, "?limit=2"), { token: carol.accessToken });
    await createTask(carol, { title: "d" });
    const second = await app.request(tasksPath(carol, `?limit=2&cursor=${first.body.nextCursor}`), {
      token: carol.accessToken,
    });
    expect([...first.body.items, ...second.body.items].map((t: { title: string }) => t.title)).toEqual([
      "a",
      "b",
      "c",
      "d",
    ]);
  });

  it("filters by completed", async () => {
    const done = await app.request(tasksPath(bob, "?completed=true"), { token: bob.accessToken });
    const open = await app.request(tasksPath(bob, "?completed=false"), { token: bob.accessToken });
    expect(done.body.items.map((t: { title: string }) => t.title)).toEqual(["task 0", "task 2", "task 4", "task 6"]);
    expect(open.body.items.map((t: { title: string }) => t.title)).toEqual(["task 1", "task 3", "task 5"]);
    expect(done.body.items.every((t: { completed: boolean }) => t.completed)).toBe(true);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=abc", "limit"],
    ["limit=2.5", "limit"],
    ["completed=yes", "completed"],
    ["cursor=not-a-cursor", "cursor"],
    [`cursor=${Buffer.from("123:not-uuid").toString("base64url")}`, "cursor"],
  ])("refuses ?%s with 422 naming the parameter", async (query, field) => {
    const res = await app.request(tasksPath(bob, `?${query}`), { token: bob.accessToken });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ location: "query", field }));
  });

  it("accepts limit=1 and limit=100", async () => {
    const one = await app.request(tasksPath(bob, "?limit=1"), { token: bob.accessToken });
    expect(one.body.items).toHaveLength(1);
    expect(one.body.nextCursor).toEqual(expect.any(String));
    const hundred = await app.request(tasksPath(bob, "?limit=100"), { token: bob.accessToken });
    expect(hundred.body.items).toHaveLength(7);
  });
});
