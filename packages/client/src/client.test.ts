import type { Contract, ErrorResponse, Task, TaskList, TaskSummary } from "@todo/contract";
import type { AppRoute } from "@ts-rest/core";
import { describe, expect, expectTypeOf, it, vi } from "vitest";
import type { FetchLike } from "./http.js";
import { createTodoClient } from "./index.js";
import { accessTokenStore, memoryTokenStore, type Tokens, webStorageTokenStore } from "./token-store.js";
import type { TodoApi } from "./types.js";
import { createTodoClient as createValidatingClient } from "./validation.js";

const BASE = "http://api.test";
const USER_ID = "0b5c4a52-5d3e-4a53-9a8e-3f2b6f0a9c11";
const TASKS = `/api/v1/${USER_ID}/tasks`;

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const error = (status: number, code: string) => json(status, { error: { code, message: code, details: [] } });
const user = {
  id: USER_ID,
  email: "ada@example.com",
  createdAt: "2025-01-01T00:00:00Z",
  updatedAt: "2025-01-01T00:00:00Z",
};
/** An unsigned JWT-shaped token: the client only ever reads `sub` from it. */
const accessToken = (n: number) =>
  `${btoa(JSON.stringify({ alg: "HS256" }))}.${btoa(JSON.stringify({ sub: USER_ID, n }))}.sig`;
const session = (n: number) => ({
  user,
  accessToken: accessToken(n),
  refreshToken: `refresh-${n}`,
  tokenType: "Bearer",
  expiresIn: 60,
});

interface FakeOptions {
  /** What POST /auth/refresh answers instead of rotating the pair (undefined: rotate). */
  refresh?: (body: { refreshToken: string }) => Response | undefined;
  /** Delay before the refresh answer, to let concurrent calls pile up. */
  refreshDelayMs?: number;
}

/** A fake API: only `validAccess` tokens pass, refresh tokens are single use, and every call is recorded. */
function fakeApi(options: FakeOptions = {}) {
  let generation = 1;
  const state = { validAccess: new Set([accessToken(1)]), usedRefresh: new Set<string>() };
  const calls: { method: string; path: string; authorization: string | null }[] = [];
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    const method = init.method ?? "GET";
    calls.push({ method, path: url.pathname, authorization: headers.get("authorization") });
    const body = typeof init.body === "string" ? JSON.parse(init.body) : undefined;

    if (url.pathname === "/api/v1/auth/refresh") {
      if (options.refreshDelayMs) await new Promise((r) => setTimeout(r, options.refreshDelayMs));
      const answer = options.refresh?.(body);
      if (answer) return answer;
      if (body.refreshToken !== `refresh-${generation}` || state.usedRefresh.has(body.refreshToken)) {
        return error(401, "UNAUTHORIZED");
      }
      state.usedRefresh.add(body.refreshToken);
      generation += 1;
      state.validAccess = new Set([accessToken(generation)]);
      return json(200, session(generation));
    }
    if (url.pathname === "/api/v1/auth/login") {
      return body.password === "right password" ? json(200, session(generation)) : error(401, "INVALID_CREDENTIALS");
    }
    if (url.pathname === "/api/v1/auth/logout") return new Response(null, { status: 204 });
    const token = headers.get("authorization")?.replace(/^Bearer /, "");
    if (!token || !state.validAccess.has(token)) {
      return error(401, "UNAUTHORIZED");
    }
    if (url.pathname === "/api/v1/auth/me") return json(200, { user });
    if (url.pathname === TASKS) return json(200, { items: [], nextCursor: null });
    return error(404, "NOT_FOUND");
  };
  return {
    fetch: vi.fn(fetch),
    calls,
    state,
    /** Makes every access token issued so far stale, as time would. */
    expireAccess: () => state.validAccess.clear(),
    refreshCalls: () => calls.filter((c) => c.path === "/api/v1/auth/refresh").length,
  };
}

const signedIn = (): Tokens => ({ accessToken: accessToken(1), refreshToken: "refresh-1" });

describe("createTodoClient", () => {
  it("sends the stored access token to protected routes only", async () => {
    const api = fakeApi();
    const client = createTodoClient({
      baseUrl: `${BASE}/`,
      fetch: api.fetch,
      tokenStore: memoryTokenStore(signedIn()),
    });

    expect((await client.api.auth.me()).status).toBe(200);
    await client.login({ email: "ada@example.com", password: "wrong" });
    expect(api.calls).toEqual([
      { method: "GET", path: "/api/v1/auth/me", authorization: `Bearer ${accessToken(1)}` },
      { method: "POST", path: "/api/v1/auth/login", authorization: null },
    ]);
  });

  it("renews an expired access token once for many concurrent calls, then retries each of them", async () => {
    const api = fakeApi({ refreshDelayMs: 20 });
    const store = memoryTokenStore(signedIn());
    const client = createTodoClient({ baseUrl: BASE, fetch: api.fetch, tokenStore: store });
    api.expireAccess();

    const results = await Promise.all([
      ...Array.from({ length: 8 }, () => client.api.tasks.list({ params: { userId: USER_ID } })),
      client.api.auth.me(),
    ]);

    expect(results.map((r) => r.status)).toEqual(Array(9).fill(200));
    expect(api.refreshCalls()).toBe(1);
    expect(await store.get()).toEqual({ accessToken: accessToken(2), refreshToken: "refresh-2" });
    const retried = api.calls.filter((c) => c.authorization === `Bearer ${accessToken(2)}`);
    expect(retried).toHaveLength(9);
  });

  it("lets a 401 that arrives after the renewal reuse it instead of spending the refresh token again", async () => {
    const api = fakeApi();
    const store = memoryTokenStore(signedIn());
    const client = createTodoClient({ baseUrl: BASE, fetch: api.fetch, tokenStore: store });
    api.expireAccess();

    expect((await client.api.auth.me()).status).toBe(200);
    // A request that read the old pair before the renewal: the store is reverted to simulate its view.
    await store.set(signedIn());
    expect((await client.api.auth.me()).status).toBe(200);
    expect(api.refreshCalls()).toBe(1);
  });

  it("signs out once, for good, when the refresh is refused, and never loops", async () => {
    const api = fakeApi({ refresh: () => error(401, "UNAUTHORIZED") });
    const store = memoryTokenStore(signedIn());
    const onSignedOut = vi.fn();
    const client = createTodoClient({ baseUrl: BASE, fetch: api.fetch, tokenStore: store, onSignedOut });
    api.expireAccess();

    const results = await Promise.all([client.api.auth.me(), client.api.tasks.list({ params: { userId: USER_ID } })]);

    expect(results.map((r) => r.status)).toEqual([401, 401]);
    expect(onSignedOut).toHaveBeenCalledTimes(1);
    expect(onSignedOut).toHaveBeenCalledWith({ reason: "refresh_rejected", status: 401 });
    expect(await store.get()).toBeNull();
    expect(api.calls).toHaveLength(3);

    // Signed out: later calls go without a token and do not try to refresh.
    expect((await client.api.auth.me()).status).toBe(401);
    expect(api.calls.at(-1)?.authorization).toBeNull();
    expect(api.refreshCalls()).toBe(1);
  });

  it("keeps the tokens and hands back the answer when the refresh fails for now (503)", async () => {
    let down = true;
    const api = fakeApi({ refresh: () => (down ? error(503, "SERVICE_UNAVAILABLE") : undefined) });
    const store = memoryTokenStore(signedIn());
    const onSignedOut = vi.fn();
    const client = createTodoClient({ baseUrl: BASE, fetch: api.fetch, tokenStore: store, onSignedOut });
    api.expireAccess();

    expect((await client.api.auth.me()).status).toBe(503);
    expect(await store.get()).toEqual(signedIn());
    expect(onSignedOut).not.toHaveBeenCalled();

    // The failure is not remembered: the next 401 tries again, and that renewal works.
    down = false;
    expect((await client.api.auth.me()).status).toBe(200);
    expect(api.refreshCalls()).toBe(2);
  });

  it("returns a second 401 as it is instead of refreshing again", async () => {
    // The renewed token is refused too (say, the sign-in was revoked in between).
    const api = fakeApi({ refresh: () => json(200, session(99)) });
    const client = createTodoClient({ baseUrl: BASE, fetch: api.fetch, tokenStore: memoryTokenStore(signedIn()) });
    api.expireAccess();

    expect((await client.api.auth.me()).status).toBe(401);
    expect(api.calls.map((c) => c.path)).toEqual(["/api/v1/auth/me", "/api/v1/auth/refresh", "/api/v1/auth/me"]);
  });

  it("does not refresh when told not to, e.g. where renewed tokens could not be saved", async () => {
    const api = fakeApi();
    const store = memoryTokenStore(signedIn());
    const client = createTodoClient({ baseUrl: BASE, fetch: api.fetch, tokenStore: store, autoRefresh: false });
    api.expireAccess();

    expect((await client.api.auth.me()).status).toBe(401);
    expect(api.refreshCalls()).toBe(0);
    expect(await store.get()).toEqual(signedIn());
  });

  it("renews on demand, once for concurrent callers", async () => {
    const api = fakeApi({ refreshDelayMs: 10 });
    const store = memoryTokenStore(signedIn());
    const client = createTodoClient({ baseUrl: BASE, fetch: api.fetch, tokenStore: store });

    expect(await Promise.all([client.refresh(), client.refresh()])).toEqual(["renewed", "renewed"]);
    expect(api.refreshCalls()).toBe(1);
    expect((await store.get())?.refreshToken).toBe("refresh-2");
    await store.clear();
    expect(await client.refresh()).toBe("signed-out");
  });

  it("leaves requests with their own Authorization header alone", async () => {
    const api = fakeApi();
    const client = createTodoClient({ baseUrl: BASE, fetch: api.fetch, tokenStore: memoryTokenStore(signedIn()) });
    api.expireAccess();

    const res = await client.api.auth.me({ extraHeaders: { authorization: "Bearer from-a-cookie" } });
    expect(res.status).toBe(401);
    expect(api.calls).toEqual([{ method: "GET", path: "/api/v1/auth/me", authorization: "Bearer from-a-cookie" }]);
  });

  it("keeps the store current through login and logout, even when logout cannot reach the server", async () => {
    const api = fakeApi();
    const store = memoryTokenStore();
    const client = createTodoClient({ baseUrl: BASE, fetch: api.fetch, tokenStore: store });

    const refused = await client.login({ email: "ada@example.com", password: "wrong" });
    expect(refused.status).toBe(401);
    expect(await store.get()).toBeNull();

    const res = await client.login({ email: "ada@example.com", password: "right password" });
    expect(res.status).toBe(200);
    expect(await store.get()).toEqual(signedIn());
    expect(await client.currentUserId()).toBe(USER_ID);

    api.fetch.mockRejectedValueOnce(new TypeError("fetch failed"));
    expect(await client.logout()).toEqual({ revoked: false });
    expect(await store.get()).toBeNull();
    expect(await client.currentUserId()).toBeNull();
  });

  it("throws on a response the contract does not allow, from the validating entry point", async () => {
    const fetch: FetchLike = async () => json(200, { user: { id: 42 } });
    const tokenStore = memoryTokenStore(signedIn());
    const lenient = createTodoClient({ baseUrl: BASE, fetch, tokenStore });
    const strict = createValidatingClient({ baseUrl: BASE, fetch, tokenStore });

    expect((await lenient.api.auth.me()).status).toBe(200);
    await expect(strict.api.auth.me()).rejects.toThrow(/Response validation failed/);
  });
});

type RoutesOf<T> = T extends AppRoute ? T : { [K in keyof T]: RoutesOf<T[K]> }[keyof T];
/** ts-rest can only type a status whose key is numeric: a "422" key gives that status an `unknown` body. */
type NonNumericStatuses<R> = R extends AppRoute ? Extract<keyof R["responses"], string> : never;

describe("response types", () => {
  it("type every declared status of every route, errors included", () => {
    expectTypeOf<NonNumericStatuses<RoutesOf<Contract>>>().toEqualTypeOf<never>();
    type Created = Awaited<ReturnType<TodoApi["tasks"]["create"]>>;
    expectTypeOf<Extract<Created, { status: 201 }>["body"]>().toEqualTypeOf<Task>();
    expectTypeOf<Extract<Created, { status: 422 }>["body"]>().toEqualTypeOf<ErrorResponse>();
    expectTypeOf<Extract<Created, { status: 403 }>["body"]>().toEqualTypeOf<ErrorResponse>();
    expectTypeOf<{ status: 502; body: unknown; headers: Headers }>().toExtend<Created>();
    type CreateArgs = Parameters<TodoApi["tasks"]["create"]>[0];
    expectTypeOf<{ params: { userId: string }; body: { title: string } }>().toExtend<CreateArgs>();
    expectTypeOf<{ params: { userId: string }; body: { title: number } }>().not.toExtend<CreateArgs>();
    expectTypeOf<{ body: { title: string } }>().not.toExtend<CreateArgs>();
    expectTypeOf<{
      params: { userId: string };
      body: { title: string; listId: string | null; dueDate: string; priority: "high" };
    }>().toExtend<CreateArgs>();
    expectTypeOf<{
      params: { userId: string };
      body: { title: string; priority: "urgent" };
    }>().not.toExtend<CreateArgs>();
  });

  it("type the organising routes", () => {
    type Moved = Awaited<ReturnType<TodoApi["tasks"]["move"]>>;
    expectTypeOf<Extract<Moved, { status: 200 }>["body"]>().toEqualTypeOf<Task>();
    expectTypeOf<{ params: { userId: string; id: string }; body: { afterId: null } }>().toExtend<
      Parameters<TodoApi["tasks"]["move"]>[0]
    >();
    type ListCreated = Awaited<ReturnType<TodoApi["lists"]["create"]>>;
    expectTypeOf<Extract<ListCreated, { status: 201 }>["body"]>().toEqualTypeOf<TaskList>();
    expectTypeOf<Extract<ListCreated, { status: 409 }>["body"]>().toEqualTypeOf<ErrorResponse>();
    type Summary = Awaited<ReturnType<TodoApi["tasks"]["summary"]>>;
    expectTypeOf<Extract<Summary, { status: 200 }>["body"]>().toEqualTypeOf<TaskSummary>();
    type Cleared = Awaited<ReturnType<TodoApi["tasks"]["clearCompleted"]>>;
    expectTypeOf<Extract<Cleared, { status: 200 }>["body"]>().toEqualTypeOf<{ deleted: number }>();
    type ListArgs = Parameters<TodoApi["tasks"]["list"]>[0];
    expectTypeOf<{
      params: { userId: string };
      query: { sort: "due"; listId: "none"; q: string };
    }>().toExtend<ListArgs>();
    expectTypeOf<{ params: { userId: string }; query: { sort: "title" } }>().not.toExtend<ListArgs>();
  });
});

describe("webStorageTokenStore", () => {
  it("round-trips the tokens and treats foreign content as signed out", () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    };
    const store = webStorageTokenStore(storage);
    expect(store.get()).toBeNull();
    store.set(signedIn());
    expect(store.get()).toEqual(signedIn());
    data.set("todo-api.tokens", "{not json");
    expect(store.get()).toBeNull();
    store.clear();
    expect(data.size).toBe(0);
  });
});

const jwt = (claims: Record<string, unknown>) =>
  `${btoa(JSON.stringify({ alg: "HS256" }))}.${btoa(JSON.stringify({ sub: USER_ID, ...claims }))}.sig`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("renewal ahead of expiry", () => {
  it("renews shortly before exp instead of first getting a 401", async () => {
    const api = fakeApi();
    const expiring = jwt({ iat: nowSeconds() - 3590, exp: nowSeconds() + 10 });
    api.state.validAccess.add(expiring);
    const tokenStore = memoryTokenStore({ accessToken: expiring, refreshToken: "refresh-1" });
    const client = createTodoClient({ baseUrl: BASE, fetch: api.fetch, tokenStore });

    expect((await client.api.auth.me()).status).toBe(200);
    expect(api.calls.map((c) => c.path)).toEqual(["/api/v1/auth/refresh", "/api/v1/auth/me"]);
    expect(api.calls[1]!.authorization).toBe(`Bearer ${accessToken(2)}`);
  });

  it("leaves a token alone while exp is far off, and when renewal is off", async () => {
    const api = fakeApi();
    const fresh = jwt({ iat: nowSeconds(), exp: nowSeconds() + 3600 });
    const expiring = jwt({ iat: nowSeconds() - 3590, exp: nowSeconds() + 10 });
    api.state.validAccess.add(fresh).add(expiring);
    const far = createTodoClient({
      baseUrl: BASE,
      fetch: api.fetch,
      tokenStore: memoryTokenStore({ accessToken: fresh, refreshToken: "refresh-1" }),
    });
    const off = createTodoClient({
      baseUrl: BASE,
      fetch: api.fetch,
      tokenStore: memoryTokenStore({ accessToken: expiring, refreshToken: "refresh-1" }),
      autoRefresh: false,
    });
    await far.api.auth.me();
    await off.api.auth.me();
    expect(api.refreshCalls()).toBe(0);
  });

  it("judges exp by the server's clock, learnt from iat: a local clock two days ahead does not renew every call", async () => {
    const serverNow = () => nowSeconds() - 2 * 86_400;
    let refreshes = 0;
    const fetch: FetchLike = async (input) => {
      const path = new URL(input).pathname;
      if (path === "/api/v1/auth/login") {
        return json(200, { ...session(1), accessToken: jwt({ iat: serverNow(), exp: serverNow() + 3600 }) });
      }
      if (path === "/api/v1/auth/refresh") {
        refreshes += 1;
        return json(200, session(2));
      }
      return json(200, { user });
    };
    const client = createTodoClient({ baseUrl: BASE, fetch });
    await client.login({ email: "ada@example.com", password: "right password" });
    await client.api.auth.me();
    await client.api.auth.me();
    expect(refreshes).toBe(0);
  });
});

describe("stores for server code", () => {
  it("webStorageTokenStore touches no storage until used, and reads as signed out where there is none", async () => {
    let looked = 0;
    const data = new Map<string, string>();
    const store = webStorageTokenStore(() => {
      looked += 1;
      return { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: () => {} };
    });
    const client = createTodoClient({ baseUrl: BASE, fetch: fakeApi().fetch, tokenStore: store });
    expect(looked).toBe(0);
    await client.login({ email: "ada@example.com", password: "right password" });
    expect(looked).toBeGreaterThan(0);

    // Node, like server rendering, has no window: the default store is simply empty.
    const ssr = webStorageTokenStore();
    expect(ssr.get()).toBeNull();
    expect(() => ssr.set(signedIn())).not.toThrow();
  });

  it("accessTokenStore sends the token and returns a 401 as it is, never refreshing", async () => {
    const api = fakeApi();
    const client = createTodoClient({ baseUrl: BASE, fetch: api.fetch, tokenStore: accessTokenStore(accessToken(1)) });
    expect((await client.api.auth.me()).status).toBe(200);
    api.expireAccess();
    expect((await client.api.auth.me()).status).toBe(401);
    expect(api.refreshCalls()).toBe(0);
    expect(await client.currentUserId()).toBe(USER_ID);
  });
});
