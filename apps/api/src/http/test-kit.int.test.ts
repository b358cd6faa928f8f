// apps/api/src/http/test-kit.int.test.ts
import { signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, expect, it } from "vitest";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ ACCESS_TOKEN_TTL: "60s" }); // env overrides, on this project's database
});
afterAll(() => app.close());

it("lists only the owner's tasks", async () => {
  const ada = await signUp(app); // a new account, registered from an address of its own
  const created = await ada.client.tasks.create({ params: { userId: ada.id }, body: { title: "Buy milk" } });
  expect(created.status).toBe(201);
  const listed = await ada.client.tasks.list({ params: { userId: ada.id } });
  expect(listed.status === 200 && listed.body.items.map((task) => task.title)).toEqual(["Buy milk"]);
  const bob = await signUp(app);
  expect((await bob.client.tasks.list({ params: { userId: ada.id } })).status).toBe(403);
  expect((await app.client().auth.me()).status).toBe(401); // no token
  expect(app.logEntries().some((entry) => entry.reason === "missing_token")).toBe(true);
});
