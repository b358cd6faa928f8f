import { describe, expect, expectTypeOf, it } from "vitest";
import type { FetchLike } from "./http.js";
import { createSyncer, createTodoClient } from "./index.js";

const BASE = "http://api.test";
const USER_ID = "0b5c4a52-5d3e-4a53-9a8e-3f2b6f0a9c11";
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const task = (id: string, title = id) => ({
  id,
  userId: USER_ID,
  title,
  description: null,
  completed: false,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  listId: null,
  dueDate: null,
  priority: "none",
  position: "a0",
  completedAt: null,
  version: 1,
});

interface Call {
  method: string;
  path: string;
  headers: Headers;
}

/** A fetch double that records calls and answers from a script (a function per call). */
function scripted(...answers: ((call: Call) => Response | Promise<Response>)[]) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    const call = { method: init.method ?? "GET", path: url.pathname + url.search, headers: new Headers(init.headers) };
    calls.push(call);
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected call ${call.method} ${call.path}`);
    return answer(call);
  };
  return { fetch, calls };
}
const networkDown = () => {
  throw new TypeError("fetch failed");
};

const client = (fetch: FetchLike) => createTodoClient({ baseUrl: BASE, fetch, getAccessToken: () => "token" });

describe("creates: Idempotency-Key and one retry", () => {
  it("sends a fresh key with every create, none on other routes", async () => {
    const { fetch, calls } = scripted(
      () => json(201, task("a")),
      () => json(201, task("b")),
      () => json(201, { ...task("l"), name: "L", activeCount: 0, completedCount: 0 }),
      () => json(200, task("a")),
    );
    const api = client(fetch).api;
    await api.tasks.create({ params: { userId: USER_ID }, body: { title: "a" } });
    await api.tasks.create({ params: { userId: USER_ID }, body: { title: "b" } });
    await api.lists.create({ params: { userId: USER_ID }, body: { name: "L" } });
    await api.tasks.update({ params: { userId: USER_ID, id: "a" }, body: { title: "a2" } });
    const keys = calls.map((c) => c.headers.get("idempotency-key"));
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(new Set(keys.slice(0, 3)).size).toBe(3);
    expect(keys[3]).toBeNull();
  });

  it("retries once after a network failure with the same key, and returns the replayed answer", async () => {
    const { fetch, calls } = scripted(networkDown, () =>
      json(201, task("a"), { "idempotent-replayed": "true", etag: '"1"' }),
    );
    const res = await client(fetch).api.tasks.create({ params: { userId: USER_ID }, body: { title: "a" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBe("true");
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers.get("idempotency-key")).toBe(calls[0]?.headers.get("idempotency-key"));
  });

  it("a second network failure goes to the caller; a caller's own key is used as given", async () => {
    const { fetch, calls } = scripted(networkDown, networkDown);
    await expect(
      client(fetch).api.tasks.create({ params: { userId: USER_ID }, body: { title: "a" }, idempotencyKey: "draft-42" }),
    ).rejects.toThrow("fetch failed");
    expect(calls.map((c) => c.headers.get("idempotency-key"))).toEqual(["draft-42", "draft-42"]);
  });

  it("waits for a first attempt still running (409 IDEMPOTENCY_KEY_IN_USE) and returns its answer", async () => {
    const inUse = () =>
      json(409, { error: { code: "IDEMPOTENCY_KEY_IN_USE", message: "busy", details: [] } }, { "retry-after": "0" });
    const { fetch, calls } = scripted(networkDown, inUse, () => json(201, task("a")));
    const res = await client(fetch).api.tasks.create({ params: { userId: USER_ID }, body: { title: "a" } });
    expect(res.status).toBe(201);
    expect(calls).toHaveLength(3);
  });

  it("never retries other writes, nor a create the caller aborted", async () => {
    const put = scripted(networkDown);
    await expect(
      client(put.fetch).api.tasks.update({ params: { userId: USER_ID, id: "a" }, body: { title: "x" } }),
    ).rejects.toThrow();
    expect(put.calls).toHaveLength(1);

    const aborted = scripted(() => {
      throw new DOMException("aborted", "AbortError");
    });
    const controller = new AbortController();
    controller.abort();
    await expect(
      client(aborted.fetch).api.tasks.create({
        params: { userId: USER_ID },
        body: { title: "a" },
        fetchOptions: { signal: controller.signal },
      }),
    ).rejects.toThrow("aborted");
    expect(aborted.calls).toHaveLength(1);
  });
});

describe("ifMatch and ifNoneMatch", () => {
  it("send If-Match / If-None-Match from an ETag or a version", async () => {
    const { fetch, calls } = scripted(
      () => json(200, task("a")),
      () => new Response(null, { status: 204 }),
      () => new Response(null, { status: 304 }),
    );
    const api = client(fetch).api;
    await api.tasks.update({ params: { userId: USER_ID, id: "a" }, body: { title: "x" }, ifMatch: '"4"' });
    await api.tasks.delete({ params: { userId: USER_ID, id: "a" }, ifMatch: 5 });
    const res = await api.tasks.get({ params: { userId: USER_ID, id: "a" }, ifNoneMatch: 6 });
    expect(calls.map((c) => [c.headers.get("if-match"), c.headers.get("if-none-match")])).toEqual([
      ['"4"', null],
      ['"5"', null],
      [null, '"6"'],
    ]);
    expect(res.status).toBe(304);
  });

  it("is typed on the routes that take it, and a 412 narrows to the error body", async () => {
    const api = client(scripted().fetch).api;
    expectTypeOf(api.tasks.move).parameter(0).toHaveProperty("ifMatch");
    expectTypeOf(api.tasks.toggleComplete).parameter(0).toHaveProperty("ifMatch");
    expectTypeOf(api.tasks.get).parameter(0).toHaveProperty("ifNoneMatch");
    expectTypeOf(api.tasks.create).parameter(0).toHaveProperty("idempotencyKey");
    expectTypeOf(api.lists.create).parameter(0).toHaveProperty("idempotencyKey");
    type Update = Awaited<ReturnType<typeof api.tasks.update>>;
    expectTypeOf<Extract<Update, { status: 412 }>["body"]["error"]["code"]>().toBeString();
  });
});

describe("createSyncer", () => {
  const page = (body: Record<string, unknown>) => () =>
    json(200, { tasks: [], lists: [], deletedTaskIds: [], deletedListIds: [], hasMore: false, ...body });

  it("applies every page, keeps the cursor, and only asks for what changed next time", async () => {
    const { fetch, calls } = scripted(
      page({ tasks: [task("a"), task("b")], cursor: "c1", hasMore: true }),
      page({ tasks: [task("c")], cursor: "c2" }),
      page({ tasks: [task("a", "renamed")], deletedTaskIds: ["b"], cursor: "c3" }),
    );
    const syncer = createSyncer(client(fetch).api, USER_ID, { limit: 2 });
    expect(await syncer.sync()).toEqual({ ok: true, changed: true, pages: 2, restarted: false });
    expect([...syncer.copy.tasks.keys()]).toEqual(["a", "b", "c"]);
    await syncer.sync();
    expect([...syncer.copy.tasks.values()].map((t) => t.title)).toEqual(["renamed", "c"]);
    expect(syncer.copy.cursor).toBe("c3");
    expect(calls.map((c) => c.path)).toEqual([
      `/api/v1/${USER_ID}/changes?limit=2`,
      `/api/v1/${USER_ID}/changes?limit=2&cursor=c1`,
      `/api/v1/${USER_ID}/changes?limit=2&cursor=c2`,
    ]);
  });

  it("starts over on 410 CURSOR_EXPIRED, swapping in the fresh copy only once it is complete", async () => {
    const { fetch } = scripted(
      () => json(410, { error: { code: "CURSOR_EXPIRED", message: "old", details: [] } }),
      page({ tasks: [task("x")], cursor: "n1" }),
    );
    const copy = { tasks: new Map([["gone", task("gone") as never]]), lists: new Map(), cursor: "old" };
    const syncer = createSyncer(client(fetch).api, USER_ID, { copy });
    expect(await syncer.sync()).toMatchObject({ ok: true, restarted: true });
    expect([...syncer.copy.tasks.keys()]).toEqual(["x"]);
    expect(syncer.copy.cursor).toBe("n1");
  });

  it("reports a failed page and keeps what it had; concurrent calls share one run", async () => {
    const { fetch, calls } = scripted(page({ tasks: [task("a")], cursor: "c1" }), () =>
      json(503, { error: { code: "SERVICE_UNAVAILABLE", message: "down", details: [] } }),
    );
    const syncer = createSyncer(client(fetch).api, USER_ID);
    const [one, two] = await Promise.all([syncer.sync(), syncer.sync()]);
    expect(one).toBe(two);
    expect(calls).toHaveLength(1);
    const failed = await syncer.sync();
    expect(failed).toMatchObject({ ok: false, response: { status: 503 } });
    expect([...syncer.copy.tasks.keys()]).toEqual(["a"]);
    expect(syncer.copy.cursor).toBe("c1");
  });
});
