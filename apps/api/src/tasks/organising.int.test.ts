import { randomUUID } from "node:crypto";
import type { Task, TaskList } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SignedUpUser, signUp, startTestApp, type TestApp } from "../../test/harness.js";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const base = (user: SignedUpUser) => `/api/v1/${user.id}`;
const call = <T = any>(user: SignedUpUser, method: string, suffix: string, body?: unknown) =>
  app.request<T>(`${base(user)}${suffix}`, { method, token: user.accessToken, body });
const createTask = async (user: SignedUpUser, body: Record<string, unknown>): Promise<Task> => {
  const res = await call<Task>(user, "POST", "/tasks", body);
  expect(res.status, res.text).toBe(201);
  return res.body;
};
const createList = async (user: SignedUpUser, name: string): Promise<TaskList> => {
  const res = await call<TaskList>(user, "POST", "/lists", { name });
  expect(res.status, res.text).toBe(201);
  return res.body;
};
const manualOrder = async (user: SignedUpUser): Promise<Task[]> =>
  (await call<{ items: Task[] }>(user, "GET", "/tasks?limit=100")).body.items;

describe("task fields", () => {
  it("creates and updates listId, dueDate and priority; null clears; completedAt follows completed", async () => {
    const user = await signUp(app);
    const list = await createList(user, "Home");
    const task = await createTask(user, {
      title: "Pay rent",
      listId: list.id,
      dueDate: "2026-12-31",
      priority: "high",
    });
    expect(task).toMatchObject({ listId: list.id, dueDate: "2026-12-31", priority: "high", completedAt: null });

    const done = await call<Task>(user, "PUT", `/tasks/${task.id}`, { completed: true, priority: "low" });
    expect(done.body).toMatchObject({ completed: true, priority: "low", listId: list.id });
    expect(done.body.completedAt).not.toBeNull();
    // Completing an already completed task keeps the moment it was completed.
    const again = await call<Task>(user, "PUT", `/tasks/${task.id}`, { completed: true });
    expect(again.body.completedAt).toBe(done.body.completedAt);
    const reopened = await call<Task>(user, "PATCH", `/tasks/${task.id}/complete`);
    expect(reopened.body).toMatchObject({ completed: false, completedAt: null });
    const toggled = await call<Task>(user, "PATCH", `/tasks/${task.id}/complete`);
    expect(toggled.body.completedAt).not.toBeNull();

    const cleared = await call<Task>(user, "PUT", `/tasks/${task.id}`, { listId: null, dueDate: null });
    expect(cleared.body).toMatchObject({ listId: null, dueDate: null, priority: "low", title: "Pay rent" });
  });

  it("keeps a far-past and a leap-day due date exactly, with no time zone shift", async () => {
    const user = await signUp(app);
    for (const dueDate of ["0001-01-01", "2028-02-29", "9999-12-31"]) {
      const task = await createTask(user, { title: dueDate, dueDate });
      expect(task.dueDate).toBe(dueDate);
      expect((await call<Task>(user, "GET", `/tasks/${task.id}`)).body.dueDate).toBe(dueDate);
    }
  });

  it("refuses a listId that is not one of the caller's lists (422), changing nothing", async () => {
    const user = await signUp(app);
    const other = await signUp(app);
    const foreign = await createList(other, "Theirs");
    for (const listId of [foreign.id, randomUUID()]) {
      const created = await call(user, "POST", "/tasks", { title: "x", listId });
      expect(created.status).toBe(422);
      expect(created.body.error.details[0]).toMatchObject({ field: "listId" });
    }
    const task = await createTask(user, { title: "mine" });
    const moved = await call(user, "PUT", `/tasks/${task.id}`, { listId: foreign.id, title: "changed" });
    expect(moved.status).toBe(422);
    expect((await call<Task>(user, "GET", `/tasks/${task.id}`)).body).toMatchObject({ listId: null, title: "mine" });
    expect((await manualOrder(user)).map((t) => t.title)).toEqual(["mine"]);
    expect((await call(other, "GET", `/lists/${foreign.id}`)).body).toMatchObject({ activeCount: 0 });
  });

  it("refuses malformed organising fields with 422 per field", async () => {
    const user = await signUp(app);
    for (const body of [
      { title: "x", dueDate: "2026-02-30" },
      { title: "x", dueDate: "31/12/2026" },
      { title: "x", priority: "urgent" },
      { title: "x", listId: "not-an-id" },
      { title: "x", position: "a0" },
      { title: "x", completedAt: new Date().toISOString() },
    ]) {
      const res = await call(user, "POST", "/tasks", body);
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    expect(await manualOrder(user)).toEqual([]);
  });
});

describe("lists", () => {
  it("creates, lists oldest first with live counts, renames and deletes with its tasks", async () => {
    const user = await signUp(app);
    const work = await createList(user, "  Work ");
    expect(work).toMatchObject({ name: "Work", activeCount: 0, completedCount: 0 });
    const home = await createList(user, "Home");
    const a = await createTask(user, { title: "a", listId: work.id });
    await createTask(user, { title: "b", listId: work.id });
    await createTask(user, { title: "c", listId: home.id });
    const loose = await createTask(user, { title: "loose" });
    await call(user, "PATCH", `/tasks/${a.id}/complete`);

    const all = await call<{ items: TaskList[] }>(user, "GET", "/lists");
    expect(all.body.items.map((l) => [l.name, l.activeCount, l.completedCount])).toEqual([
      ["Work", 1, 1],
      ["Home", 1, 0],
    ]);
    expect((await call(user, "GET", `/lists/${work.id}`)).body).toMatchObject({ activeCount: 1, completedCount: 1 });

    const renamed = await call<TaskList>(user, "PUT", `/lists/${work.id}`, { name: "Office" });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: work.id, name: "Office", activeCount: 1, completedCount: 1 });

    expect((await call(user, "DELETE", `/lists/${work.id}`)).status).toBe(204);
    expect((await call(user, "GET", `/lists/${work.id}`)).status).toBe(404);
    expect((await call(user, "GET", `/tasks/${a.id}`)).status).toBe(404);
    expect((await manualOrder(user)).map((t) => t.title)).toEqual(["c", "loose"]);
    expect((await call(user, "GET", `/tasks/${loose.id}`)).status).toBe(200);
    expect((await call(user, "DELETE", `/lists/${work.id}`)).status).toBe(404);
  });

  it("keeps names unique per user ignoring case (409), but not across users", async () => {
    const user = await signUp(app);
    const other = await signUp(app);
    const list = await createList(user, "Groceries");
    const dup = await call(user, "POST", "/lists", { name: "gROCERIES " });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("LIST_NAME_TAKEN");
    await createList(other, "groceries");
    const second = await createList(user, "Errands");
    const clash = await call(user, "PUT", `/lists/${second.id}`, { name: "GROCERIES" });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe("LIST_NAME_TAKEN");
    // A list may change the case of its own name.
    expect((await call(user, "PUT", `/lists/${list.id}`, { name: "groceries" })).body.name).toBe("groceries");
    expect((await call<{ items: TaskList[] }>(user, "GET", "/lists")).body.items.map((l) => l.name)).toEqual([
      "groceries",
      "Errands",
    ]);
  });

  it("refuses bad names and unknown fields (422) and answers 404 for ids that are not ids", async () => {
    const user = await signUp(app);
    for (const body of [
      {},
      { name: "" },
      { name: "   " },
      { name: "x".repeat(101) },
      { name: "ok", id: randomUUID() },
    ]) {
      expect((await call(user, "POST", "/lists", body)).status, JSON.stringify(body)).toBe(422);
    }
    for (const id of ["nope", randomUUID()]) {
      expect((await call(user, "GET", `/lists/${id}`)).status).toBe(404);
      expect((await call(user, "PUT", `/lists/${id}`, { name: "x" })).status).toBe(404);
      expect((await call(user, "DELETE", `/lists/${id}`)).status).toBe(404);
    }
    expect((await call(user, "GET", "/lists")).body).toEqual({ items: [] });
  });
});

describe("manual order", () => {
  it("appends new tasks and moves a task after another or first", async () => {
    const user = await signUp(app);
    const [a, b, c, d] = [
      await createTask(user, { title: "a" }),
      await createTask(user, { title: "b" }),
      await createTask(user, { title: "c" }),
      await createTask(user, { title: "d" }),
    ];
    const titles = async () => (await manualOrder(user)).map((t) => t.title);
    expect(await titles()).toEqual(["a", "b", "c", "d"]);

    const moved = await call<Task>(user, "POST", `/tasks/${d!.id}/move`, { afterId: a!.id });
    expect(moved.status).toBe(200);
    expect(moved.body.position > a!.position && moved.body.position < b!.position).toBe(true);
    expect(await titles()).toEqual(["a", "d", "b", "c"]);
    await call(user, "POST", `/tasks/${c!.id}/move`, { afterId: null });
    expect(await titles()).toEqual(["c", "a", "d", "b"]);
    await call(user, "POST", `/tasks/${c!.id}/move`, { afterId: b!.id });
    expect(await titles()).toEqual(["a", "d", "b", "c"]);
    // After itself: where it already is.
    const same = await call<Task>(user, "POST", `/tasks/${d!.id}/move`, { afterId: d!.id });
    expect(same.status).toBe(200);
    expect(await titles()).toEqual(["a", "d", "b", "c"]);
    // Clients order by comparing positions as plain strings.
    const items = await manualOrder(user);
    expect(items.map((t) => t.position)).toEqual(items.map((t) => t.position).sort());
    // New tasks still go last.
    await createTask(user, { title: "e" });
    expect(await titles()).toEqual(["a", "d", "b", "c", "e"]);
  });

  it("refuses an afterId that is not one of the caller's tasks (422) and an unknown task (404)", async () => {
    const user = await signUp(app);
    const other = await signUp(app);
    const mine = await createTask(user, { title: "mine" });
    const theirs = await createTask(other, { title: "theirs" });
    for (const afterId of [theirs.id, randomUUID(), "nope"]) {
      const res = await call(user, "POST", `/tasks/${mine.id}/move`, { afterId });
      expect(res.status, afterId).toBe(422);
      expect(res.body.error.details[0]).toMatchObject({ location: "body", field: "afterId" });
    }
    for (const id of [theirs.id, randomUUID(), "nope"]) {
      expect((await call(user, "POST", `/tasks/${id}/move`, { afterId: null })).status).toBe(404);
    }
    for (const body of [{}, { afterId: 1 }, { afterId: null, position: "a0" }]) {
      expect((await call(user, "POST", `/tasks/${mine.id}/move`, body)).status).toBe(422);
    }
    expect((await call<Task>(other, "GET", `/tasks/${theirs.id}`)).body).toEqual(theirs);
    expect((await call<Task>(user, "GET", `/tasks/${mine.id}`)).body).toEqual(mine);
  });

  it("keeps positions short: hundreds of moves into the same gap renumber the order, which stays right", async () => {
    const user = await signUp(app);
    const first = await createTask(user, { title: "first" });
    const others: Task[] = [];
    for (let i = 0; i < 8; i++) others.push(await createTask(user, { title: `t${i}` }));
    // Each move puts the next task right after `first`, so every gap is halved again.
    const expected = ["first"];
    for (let round = 0; round < 50; round++) {
      for (const task of others) {
        const res = await call<Task>(user, "POST", `/tasks/${task.id}/move`, { afterId: first.id });
        expect(res.status).toBe(200);
        expect(res.body.position.length).toBeLessThanOrEqual(70);
      }
    }
    expected.push(...others.map((t) => t.title).reverse());
    const items = await manualOrder(user);
    expect(items.map((t) => t.title)).toEqual(expected);
    const positions = items.map((t) => t.position);
    expect(new Set(positions).size).toBe(positions.length);
    expect(positions).toEqual([...positions].sort());
  });
});

describe("summary and clear completed", () => {
  it("counts total, active, completed, overdue and due today for the given day", async () => {
    const user = await signUp(app);
    const overdue = await createTask(user, { title: "late", dueDate: "2026-06-01" });
    await createTask(user, { title: "today", dueDate: "2026-06-10" });
    await createTask(user, { title: "later", dueDate: "2026-06-11" });
    await createTask(user, { title: "undated" });
    const doneLate = await createTask(user, { title: "done late", dueDate: "2026-06-01" });
    await call(user, "PATCH", `/tasks/${doneLate.id}/complete`);
    const res = await call(user, "GET", "/tasks/summary?today=2026-06-10");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ total: 5, active: 4, completed: 1, overdue: 1, dueToday: 1 });
    await call(user, "PATCH", `/tasks/${overdue.id}/complete`);
    expect((await call(user, "GET", "/tasks/summary?today=2026-06-11")).body).toEqual({
      total: 5,
      active: 3,
      completed: 2,
      overdue: 1,
      dueToday: 1,
    });
    // Without today: the server's UTC date, after these (the two active dated tasks are overdue).
    expect((await call(user, "GET", "/tasks/summary")).body).toMatchObject({ overdue: 2, dueToday: 0 });
    expect((await call(user, "GET", "/tasks/summary?today=2026-13-01")).status).toBe(422);
    expect((await call(await signUp(app), "GET", "/tasks/summary")).body).toEqual({
      total: 0,
      active: 0,
      completed: 0,
      overdue: 0,
      dueToday: 0,
    });
  });

  it("deletes only completed tasks, only with completed=true, optionally of one list", async () => {
    const user = await signUp(app);
    const other = await signUp(app);
    const list = await createList(user, "L");
    const foreign = await createList(other, "L");
    const tasks = [
      await createTask(user, { title: "open in list", listId: list.id }),
      await createTask(user, { title: "done in list", listId: list.id }),
      await createTask(user, { title: "done loose" }),
      await createTask(user, { title: "open loose" }),
    ];
    for (const t of [tasks[1]!, tasks[2]!]) await call(user, "PATCH", `/tasks/${t.id}/complete`);
    const theirs = await createTask(other, { title: "their done", listId: foreign.id });
    await call(other, "PATCH", `/tasks/${theirs.id}/complete`);

    for (const query of ["", "?completed=false", "?completed=1", "?listId=none"]) {
      const res = await call(user, "DELETE", `/tasks${query}`);
      expect(res.status, query).toBe(422);
    }
    expect((await call(user, "DELETE", `/tasks?completed=true&listId=${foreign.id}`)).status).toBe(422);
    expect((await call(user, "DELETE", `/tasks?completed=true&listId=${randomUUID()}`)).status).toBe(422);
    expect(await manualOrder(user)).toHaveLength(4);

    expect((await call(user, "DELETE", `/tasks?completed=true&listId=${list.id}`)).body).toEqual({ deleted: 1 });
    expect((await manualOrder(user)).map((t) => t.title)).toEqual(["open in list", "done loose", "open loose"]);
    expect((await call(user, "DELETE", `/tasks?completed=true&listId=${list.id}`)).body).toEqual({ deleted: 0 });
    expect((await call(user, "DELETE", "/tasks?completed=true")).body).toEqual({ deleted: 1 });
    expect((await manualOrder(user)).map((t) => t.title)).toEqual(["open in list", "open loose"]);
    expect((await call(other, "GET", `/tasks/${theirs.id}`)).status).toBe(200);
  });
});
