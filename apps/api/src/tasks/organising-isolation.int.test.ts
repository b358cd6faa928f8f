import type { Task, TaskList } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SignedUpUser, signUp, startTestApp, type TestApp } from "../../test/harness.js";

// SC-004 for the organising routes: nobody reads, changes or links to another person's lists and tasks.
let app: TestApp;
let owner: SignedUpUser;
let intruder: SignedUpUser;
let ownerList: TaskList;
let ownerTask: Task;
let intruderTask: Task;

const call = (user: SignedUpUser, method: string, path: string, body?: unknown) =>
  app.request(path, { method, token: user.accessToken, body });

beforeAll(async () => {
  app = await startTestApp();
  owner = await signUp(app);
  intruder = await signUp(app);
  ownerList = (await call(owner, "POST", `/api/v1/${owner.id}/lists`, { name: "Owner's secret list" })).body;
  ownerTask = (
    await call(owner, "POST", `/api/v1/${owner.id}/tasks`, {
      title: "Owner's secret",
      listId: ownerList.id,
      dueDate: "2026-01-01",
    })
  ).body;
  await call(owner, "PATCH", `/api/v1/${owner.id}/tasks/${ownerTask.id}/complete`);
  ownerTask = (await call(owner, "GET", `/api/v1/${owner.id}/tasks/${ownerTask.id}`)).body;
  intruderTask = (await call(intruder, "POST", `/api/v1/${intruder.id}/tasks`, { title: "mine" })).body;
});
afterAll(() => app.close());

async function expectOwnerUntouched() {
  expect((await call(owner, "GET", `/api/v1/${owner.id}/tasks/${ownerTask.id}`)).body).toEqual(ownerTask);
  const lists = await call(owner, "GET", `/api/v1/${owner.id}/lists`);
  expect(lists.body.items).toEqual([{ ...ownerList, activeCount: 0, completedCount: 1 }]);
}

describe("organising routes across users", () => {
  it("answers 403 on every new route when the path names another user", async () => {
    const p = `/api/v1/${owner.id}`;
    for (const [method, path, body] of [
      ["GET", `${p}/lists`],
      ["POST", `${p}/lists`, { name: "planted" }],
      ["GET", `${p}/lists/${ownerList.id}`],
      ["PUT", `${p}/lists/${ownerList.id}`, { name: "hijacked" }],
      ["DELETE", `${p}/lists/${ownerList.id}`],
      ["POST", `${p}/tasks/${ownerTask.id}/move`, { afterId: null }],
      ["GET", `${p}/tasks/summary`],
      ["DELETE", `${p}/tasks?completed=true`],
      ["GET", `${p}/tasks?listId=${ownerList.id}&q=secret&sort=due`],
    ] as const) {
      const res = await call(intruder, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.text).not.toContain("secret");
    }
    await expectOwnerUntouched();
  });

  it("answers 404 for another's list or task id on the intruder's own paths", async () => {
    const p = `/api/v1/${intruder.id}`;
    for (const [method, path, body] of [
      ["GET", `${p}/lists/${ownerList.id}`],
      ["PUT", `${p}/lists/${ownerList.id}`, { name: "hijacked" }],
      ["DELETE", `${p}/lists/${ownerList.id}`],
      ["POST", `${p}/tasks/${ownerTask.id}/move`, { afterId: null }],
      ["POST", `${p}/tasks/${ownerTask.id}/move`, { afterId: intruderTask.id }],
    ] as const) {
      const res = await call(intruder, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.text).not.toContain("secret");
    }
    await expectOwnerUntouched();
  });

  it("answers 422 when the intruder names another's list or task inside a request (never links to it)", async () => {
    const p = `/api/v1/${intruder.id}`;
    for (const [method, path, body, field] of [
      ["POST", `${p}/tasks`, { title: "linked", listId: ownerList.id }, "listId"],
      ["PUT", `${p}/tasks/${intruderTask.id}`, { listId: ownerList.id }, "listId"],
      ["POST", `${p}/tasks/${intruderTask.id}/move`, { afterId: ownerTask.id }, "afterId"],
      ["GET", `${p}/tasks?listId=${ownerList.id}`, undefined, "listId"],
      ["DELETE", `${p}/tasks?completed=true&listId=${ownerList.id}`, undefined, "listId"],
    ] as const) {
      const res = await call(intruder, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(422);
      expect(res.body.error.details[0].field).toBe(field);
      expect(res.text).not.toContain("secret");
    }
    expect((await call(intruder, "GET", `${p}/tasks/${intruderTask.id}`)).body).toEqual(intruderTask);
    expect((await call(intruder, "GET", `${p}/tasks/summary`)).body).toMatchObject({ total: 1, completed: 0 });
    await expectOwnerUntouched();
  });

  it("keeps a same-named list of another user apart, and deleting it spares the owner's tasks", async () => {
    const mine = (await call(intruder, "POST", `/api/v1/${intruder.id}/lists`, { name: "Owner's secret list" })).body;
    expect(mine.activeCount).toBe(0);
    expect((await call(intruder, "DELETE", `/api/v1/${intruder.id}/lists/${mine.id}`)).status).toBe(204);
    expect((await call(intruder, "DELETE", `/api/v1/${intruder.id}/tasks?completed=true`)).body).toEqual({
      deleted: 0,
    });
    await expectOwnerUntouched();
  });
});
