import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SignedUpUser, signUp, startTestApp, type TestApp } from "../../test/harness.js";

// ETags and conditional requests (RFC 9110 §13) on one task: GET with If-None-Match, writes with If-Match.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function newTask(user: SignedUpUser, title = "Shared task") {
  const res = await app.request(`/api/v1/${user.id}/tasks`, {
    method: "POST",
    token: user.accessToken,
    body: { title },
  });
  expect(res.status).toBe(201);
  return { task: res.body, path: `/api/v1/${user.id}/tasks/${res.body.id}`, etag: res.headers.get("etag")! };
}

const call = (user: SignedUpUser, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  app.request(path, { method, token: user.accessToken, headers, body });

/** Every write of one task, with the body it needs. */
const writes = (path: string, afterId: string | null) => [
  { method: "PUT", path, body: { title: "edited elsewhere" } },
  { method: "PATCH", path: `${path}/complete` },
  { method: "POST", path: `${path}/move`, body: { afterId } },
  { method: "DELETE", path },
];

describe("versions and ETags", () => {
  it("starts at version 1 and adds 1 on every change; every single-task answer carries the ETag", async () => {
    const user = await signUp(app);
    const other = await newTask(user, "anchor");
    const { task, path, etag } = await newTask(user);
    expect(task.version).toBe(1);
    expect(etag).toBe('"1"');

    const got = await call(user, "GET", path);
    expect(got.headers.get("etag")).toBe('"1"');
    const put = await call(user, "PUT", path, {}, { title: "renamed" });
    expect([put.body.version, put.headers.get("etag")]).toEqual([2, '"2"']);
    const toggled = await call(user, "PATCH", `${path}/complete`);
    expect([toggled.body.version, toggled.headers.get("etag")]).toEqual([3, '"3"']);
    const moved = await call(user, "POST", `${path}/move`, {}, { afterId: null });
    expect([moved.body.version, moved.headers.get("etag")]).toEqual([4, '"4"']);
    // Another task's change leaves this one's version alone.
    await call(user, "PUT", other.path, {}, { title: "anchor 2" });
    expect((await call(user, "GET", path)).body.version).toBe(4);
  });

  it("If-None-Match with the current ETag (or *, or its weak form) answers 304 without a body", async () => {
    const user = await signUp(app);
    const { path, etag } = await newTask(user);
    for (const value of [etag, "*", `W/${etag}`, `"99", ${etag}`]) {
      const res = await call(user, "GET", path, { "if-none-match": value });
      expect(res.status, value).toBe(304);
      expect(res.text).toBe("");
      expect(res.headers.get("etag")).toBe(etag);
    }
    await call(user, "PUT", path, {}, { title: "changed" });
    const stale = await call(user, "GET", path, { "if-none-match": etag });
    expect(stale.status).toBe(200);
    expect(stale.headers.get("etag")).toBe('"2"');
  });

  it("If-Match that does not match: 412 PRECONDITION_FAILED on PUT, toggle, move and DELETE, nothing changed", async () => {
    const user = await signUp(app);
    const anchor = await newTask(user, "anchor");
    const { path, etag } = await newTask(user);
    await call(user, "PUT", path, {}, { title: "edited here" }); // now version 2: `etag` ("1") is stale
    const before = (await call(user, "GET", path)).body;
    for (const write of writes(path, anchor.task.id)) {
      for (const ifMatch of [etag, `W/"2"`, '"abc"', '"2x"']) {
        const res = await call(user, write.method, write.path, { "if-match": ifMatch }, write.body);
        expect(res.status, `${write.method} ${write.path} If-Match ${ifMatch}`).toBe(412);
        expect(res.body.error.code).toBe("PRECONDITION_FAILED");
      }
    }
    expect((await call(user, "GET", path)).body).toEqual(before);
  });

  it("If-Match with the current ETag (alone, in a list, or *) lets each write through", async () => {
    const user = await signUp(app);
    const anchor = await newTask(user, "anchor");
    const { path } = await newTask(user);
    let version = 1;
    for (const write of writes(path, anchor.task.id)) {
      const ifMatch = write.method === "POST" ? "*" : `"77", "${version}"`;
      const res = await call(user, write.method, write.path, { "if-match": ifMatch }, write.body);
      expect(res.status, `${write.method} ${write.path}`).toBe(write.method === "DELETE" ? 204 : 200);
      if (res.status === 200) {
        expect(res.body.version).toBe(version + 1);
        version = res.body.version;
      }
    }
    expect((await call(user, "GET", path)).status).toBe(404);
  });

  it("a missing task, or another user's, is 404 with or without If-Match, never 412", async () => {
    const owner = await signUp(app);
    const intruder = await signUp(app);
    const { task } = await newTask(owner);
    const foreign = `/api/v1/${intruder.id}/tasks/${task.id}`;
    for (const write of writes(foreign, null)) {
      const res = await call(intruder, write.method, write.path, { "if-match": '"1"' }, write.body);
      expect(res.status, `${write.method} ${write.path}`).toBe(404);
    }
    expect((await call(intruder, "GET", foreign, { "if-none-match": '"1"' })).status).toBe(404);
    expect((await call(owner, "GET", `/api/v1/${owner.id}/tasks/${task.id}`)).body.version).toBe(1);
  });

  it("a malformed If-Match or If-None-Match is 422 (header), and changes nothing", async () => {
    const user = await signUp(app);
    const { path } = await newTask(user);
    const put = await call(user, "PUT", path, { "if-match": "1" }, { title: "x" });
    expect(put.status).toBe(422);
    expect(put.body.error.details[0]).toMatchObject({ location: "header", field: "if-match" });
    const get = await call(user, "GET", path, { "if-none-match": "not-a-tag" });
    expect(get.status).toBe(422);
    expect((await call(user, "GET", path)).body.version).toBe(1);
  });

  it("without If-Match the last write wins, as before", async () => {
    const user = await signUp(app);
    const { path } = await newTask(user);
    expect((await call(user, "PUT", path, {}, { title: "laptop" })).status).toBe(200);
    expect((await call(user, "PUT", path, {}, { title: "phone" })).status).toBe(200);
    expect((await call(user, "GET", path)).body).toMatchObject({ title: "phone", version: 3 });
  });
});

describe("If-Match under concurrency: the check and the write are one step", () => {
  it.each(["PUT", "PATCH", "POST", "DELETE"])(
    "of 20 concurrent %s requests with the same If-Match, exactly one succeeds",
    async (method) => {
      const user = await signUp(app);
      const anchor = await newTask(user, "anchor");
      const { path, etag } = await newTask(user);
      const write = writes(path, anchor.task.id).find((w) => w.method === method)!;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call(
            user,
            write.method,
            write.path,
            { "if-match": etag },
            method === "PUT" ? { title: `writer ${i}` } : write.body,
          ),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200 || s === 204)).toHaveLength(1);
      // The losers: 412, or (after the winner deleted it) 404. Never a 500.
      for (const s of statuses.filter((s) => s !== 200 && s !== 204)) {
        expect(method === "DELETE" ? [404, 412] : [412]).toContain(s);
      }
      const after = await call(user, "GET", path);
      if (method === "DELETE") expect(after.status).toBe(404);
      else expect(after.body.version).toBe(2);
      if (method === "PUT") expect(after.body.title).toBe(results.find((r) => r.status === 200)?.body.title);
    },
  );
});
