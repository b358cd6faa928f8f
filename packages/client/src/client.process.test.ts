import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it, vi } from "vitest";
import type { FetchLike } from "./http.js";
import { createTodoClient as createPlainClient } from "./index.js";
import { memoryTokenStore } from "./token-store.js";
import { createTodoClient } from "./validation.js";

// Against real API processes (test/api-servers.ts, started with @todo/test-kit), with every response checked against the contract.
const password = "correct horse battery";
const newEmail = () => `client-${crypto.randomUUID()}@example.com`;

/** The global fetch, with every request it makes recorded as `METHOD /path`. */
function recordingFetch() {
  const requests: string[] = [];
  const fetch: FetchLike = (input, init) => {
    requests.push(`${init.method} ${new URL(input).pathname}`);
    return globalThis.fetch(input, init);
  };
  return { fetch, requests, refreshes: () => requests.filter((r) => r.endsWith("/auth/refresh")).length };
}

/** Sleeps past the lifetime of the short-lived server's access tokens (exp has 1 s resolution). */
const waitForAccessTokenExpiry = () =>
  new Promise((resolve) => setTimeout(resolve, inject("shortLivedTokenSeconds") * 1000 + 100));

describe("the client against the real API", () => {
  it("registers, manages tasks with typed responses, and signs out", async () => {
    const client = createTodoClient({ baseUrl: inject("apiUrl") });
    const email = newEmail();

    const registered = await client.register({ email: `  ${email.toUpperCase()} `, password });
    expect(registered.status).toBe(201);
    if (registered.status !== 201) return;
    expect(registered.body.user.email).toBe(email);
    const userId = registered.body.user.id;
    expect(await client.currentUserId()).toBe(userId);

    const me = await client.api.auth.me();
    expect(me.status === 200 && me.body.user.id).toBe(userId);

    const created = await client.api.tasks.create({ params: { userId }, body: { title: " Buy milk " } });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    expect(created.body).toMatchObject({ title: "Buy milk", description: null, completed: false, userId });
    const task = { userId, id: created.body.id };

    const updated = await client.api.tasks.update({ params: task, body: { description: "2 litres" } });
    expect(updated.status === 200 && updated.body.description).toBe("2 litres");
    const toggled = await client.api.tasks.toggleComplete({ params: task });
    expect(toggled.status === 200 && toggled.body.completed).toBe(true);
    const done = await client.api.tasks.list({ params: { userId }, query: { completed: "true", limit: 10 } });
    expect(done.status === 200 && done.body.items.map((t) => t.id)).toEqual([task.id]);
    expect((await client.api.tasks.delete({ params: task })).status).toBe(204);
    expect((await client.api.tasks.get({ params: task })).status).toBe(404);

    expect(await client.logout()).toEqual({ revoked: true });
    expect(await client.tokenStore.get()).toBeNull();
    expect((await client.api.auth.me()).status).toBe(401);
  });

  it("organises tasks through the typed routes: lists, fields, move, sorted queries, summary, clear completed", async () => {
    const client = createTodoClient({ baseUrl: inject("apiUrl") });
    const registered = await client.register({ email: newEmail(), password });
    if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
    const userId = registered.body.user.id;

    const list = await client.api.lists.create({ params: { userId }, body: { name: "Errands" } });
    if (list.status !== 201) throw new Error(`list: ${list.status}`);
    const first = await client.api.tasks.create({
      params: { userId },
      body: { title: "Post office", listId: list.body.id, dueDate: "2026-03-01", priority: "high" },
    });
    const second = await client.api.tasks.create({ params: { userId }, body: { title: "Bank", listId: list.body.id } });
    if (first.status !== 201 || second.status !== 201) throw new Error("create");
    expect(first.body).toMatchObject({ listId: list.body.id, dueDate: "2026-03-01", priority: "high" });

    const moved = await client.api.tasks.move({ params: { userId, id: second.body.id }, body: { afterId: null } });
    expect(moved.status === 200 && moved.body.position < first.body.position).toBe(true);
    const manual = await client.api.tasks.list({ params: { userId }, query: { listId: list.body.id } });
    expect(manual.status === 200 && manual.body.items.map((t) => t.title)).toEqual(["Bank", "Post office"]);
    const byDue = await client.api.tasks.list({ params: { userId }, query: { sort: "due", q: "OFF" } });
    expect(byDue.status === 200 && byDue.body.items.map((t) => t.title)).toEqual(["Post office"]);

    await client.api.tasks.toggleComplete({ params: { userId, id: first.body.id } });
    const summary = await client.api.tasks.summary({ params: { userId }, query: { today: "2026-03-01" } });
    expect(summary.status === 200 && summary.body).toEqual({
      total: 2,
      active: 1,
      completed: 1,
      overdue: 0,
      dueToday: 0,
    });
    const lists = await client.api.lists.list({ params: { userId } });
    expect(lists.status === 200 && lists.body.items[0]).toMatchObject({ activeCount: 1, completedCount: 1 });
    const cleared = await client.api.tasks.clearCompleted({ params: { userId }, query: { completed: "true" } });
    expect(cleared.status === 200 && cleared.body).toEqual({ deleted: 1 });
    const duplicate = await client.api.lists.create({ params: { userId }, body: { name: "ERRANDS" } });
    expect(duplicate.status === 409 && duplicate.body.error.code).toBe("LIST_NAME_TAKEN");
    expect((await client.api.lists.delete({ params: { userId, listId: list.body.id } })).status).toBe(204);
    const left = await client.api.tasks.list({ params: { userId } });
    expect(left.status === 200 && left.body.items).toEqual([]);
  });

  it("returns errors as typed values with the contract's error body", async () => {
    const client = createTodoClient({ baseUrl: inject("apiUrl") });
    const email = newEmail();
    await client.register({ email, password });

    const taken = await client.register({ email, password });
    expect(taken.status === 409 && taken.body.error.code).toBe("EMAIL_TAKEN");

    const wrong = await createTodoClient({ baseUrl: inject("apiUrl") }).login({ email, password: "not the password" });
    expect(wrong.status === 401 && wrong.body.error.code).toBe("INVALID_CREDENTIALS");

    const userId = (await client.currentUserId()) ?? "";
    const invalid = await client.api.tasks.create({ params: { userId }, body: { title: "   " } });
    expect(invalid.status).toBe(422);
    if (invalid.status !== 422) return;
    expect(invalid.body.error.details).toEqual([expect.objectContaining({ location: "body", field: "title" })]);

    const foreign = await client.api.tasks.list({ params: { userId: crypto.randomUUID() } });
    expect(foreign.status === 403 && foreign.body.error.code).toBe("FORBIDDEN");
  });

  it("renews a really expired access token once for concurrent calls, and retries them", async () => {
    const recorder = recordingFetch();
    const client = createTodoClient({
      baseUrl: inject("shortLivedApiUrl"),
      fetch: recorder.fetch,
    });
    await client.register({ email: newEmail(), password });
    const before = await client.tokenStore.get();
    const userId = (await client.currentUserId()) ?? "";
    await waitForAccessTokenExpiry();

    // The server itself refuses the old token now: this is a real expiry, not a simulated one.
    const stale = await fetch(`${inject("shortLivedApiUrl")}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${before?.accessToken}` },
    });
    expect(stale.status).toBe(401);

    const requestsBefore = recorder.requests.length;
    const results = await Promise.all([
      client.api.auth.me(),
      client.api.tasks.list({ params: { userId } }),
      client.api.tasks.create({ params: { userId }, body: { title: "After renewal" } }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 201]);
    expect(recorder.refreshes()).toBe(1);
    // Renewed ahead of the calls (the token's exp had passed): no call went out with the expired token.
    expect(recorder.requests[requestsBefore]).toBe("POST /api/v1/auth/refresh");
    const after = await client.tokenStore.get();
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
  });

  it("reports a definitive sign-out when the refresh is refused, without looping", async () => {
    const recorder = recordingFetch();
    const onSignedOut = vi.fn();
    const store = memoryTokenStore();
    const client = createTodoClient({
      baseUrl: inject("shortLivedApiUrl"),
      fetch: recorder.fetch,
      tokenStore: store,
      onSignedOut,
    });
    await client.register({ email: newEmail(), password });
    const tokens = await store.get();

    // The sign-in ends elsewhere (another device signs out with the same refresh token).
    const elsewhere = createTodoClient({ baseUrl: inject("shortLivedApiUrl"), tokenStore: memoryTokenStore(tokens) });
    expect(await elsewhere.logout()).toEqual({ revoked: true });
    await waitForAccessTokenExpiry();

    // The token has expired, so the client renews before the call; the refusal ends the sign-in, and the call
    // goes out once with the old token, whose 401 is returned: no second refresh, no loop.
    const requestsBefore = recorder.requests.length;
    const me = await client.api.auth.me();
    expect(me.status).toBe(401);
    expect(recorder.requests.slice(requestsBefore)).toEqual(["POST /api/v1/auth/refresh", "GET /api/v1/auth/me"]);
    expect(onSignedOut).toHaveBeenCalledExactlyOnceWith({ reason: "refresh_rejected", status: 401 });
    expect(await store.get()).toBeNull();
  });

  it("with getAccessToken, never calls the refresh route and retries a 401 once with a freshly fetched token", async () => {
    const url = inject("shortLivedApiUrl");
    // The frontend's own sign-in (Better Auth, say) stands behind getAccessToken: here, the API's login.
    const email = newEmail();
    const issuer = createPlainClient({ baseUrl: url });
    await issuer.register({ email, password });
    const expired = (await issuer.tokenStore.get())!.accessToken;
    await waitForAccessTokenExpiry();

    const recorder = recordingFetch();
    let calls = 0;
    const getAccessToken = async () => {
      calls += 1;
      if (calls === 1) return expired;
      await issuer.login({ email, password });
      return (await issuer.tokenStore.get())!.accessToken;
    };
    const client = createTodoClient({ baseUrl: url, fetch: recorder.fetch, getAccessToken });
    const me = await client.api.auth.me();
    expect(me.status === 200 && me.body.user.email).toBe(email);
    expect(calls).toBe(2);
    expect(recorder.requests).toEqual(["GET /api/v1/auth/me", "GET /api/v1/auth/me"]);

    // A token that keeps failing: one retry, then the 401 is the caller's.
    const stale = createTodoClient({ baseUrl: url, fetch: recorder.fetch, getAccessToken: () => expired });
    recorder.requests.length = 0;
    expect((await stale.api.auth.me()).status).toBe(401);
    expect(recorder.requests).toEqual(["GET /api/v1/auth/me"]);
    expect(recorder.refreshes()).toBe(0);
  });
});

/** The reset token mailed to `email`: the API under test writes its mails to an outbox folder (.eml files). */
async function mailedResetToken(email: string): Promise<string> {
  const outbox = inject("mailOutboxDir");
  for (let waited = 0; waited < 10_000; waited += 100) {
    for (const file of await readdir(outbox)) {
      // Undo quoted-printable soft line breaks and escapes of the text part.
      const raw = (await readFile(join(outbox, file), "utf8")).replace(/=\r?\n/g, "").replace(/=3D/g, "=");
      if (!raw.includes(`To: ${email}`)) continue;
      const token = /\/reset-password\?token=([\w-]+)/.exec(raw)?.[1];
      if (token) return token;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no reset mail for ${email}`);
}

describe("account recovery and self-service through the client", () => {
  it("resets a forgotten password from the mailed token and is signed in", async () => {
    const email = newEmail();
    const first = createTodoClient({ baseUrl: inject("apiUrl") });
    expect((await first.register({ email, password })).status).toBe(201);

    const client = createTodoClient({ baseUrl: inject("apiUrl") });
    expect((await client.api.account.requestPasswordReset({ body: { email } })).status).toBe(202);
    const token = await mailedResetToken(email);
    const bad = await client.confirmPasswordReset({ token: "not-a-real-token", password: "a new passphrase" });
    expect(bad.status === 400 && bad.body.error.code).toBe("INVALID_RESET_TOKEN");
    expect(await client.tokenStore.get()).toBeNull();

    const reset = await client.confirmPasswordReset({ token, password: "a new passphrase" });
    expect(reset.status).toBe(200);
    expect((await client.api.auth.me()).status).toBe(200);
    // The first device's sign-in ended with the reset.
    expect((await first.api.auth.me()).status).toBe(401);
  });

  it("changes the password, lists and ends sign-ins, exports and deletes the account", async () => {
    const email = newEmail();
    const client = createTodoClient({ baseUrl: inject("apiUrl") });
    const registered = await client.register({ email, password });
    if (registered.status !== 201) throw new Error("register failed");
    const userId = registered.body.user.id;
    const phone = createTodoClient({ baseUrl: inject("apiUrl") });
    expect((await phone.login({ email, password })).status).toBe(200);

    const wrong = await client.api.account.changePassword({
      body: { currentPassword: "not my password", newPassword: "a new passphrase" },
    });
    expect(wrong.status === 403 && wrong.body.error.code).toBe("INVALID_CREDENTIALS");
    const listed = await client.api.account.listSignIns();
    expect(listed.status === 200 && listed.body.items.map((s) => s.current)).toEqual([false, true]);
    expect((await client.api.account.endOtherSignIns()).status).toBe(204);
    const after = await client.api.account.listSignIns();
    expect(after.status === 200 && after.body.items.length).toBe(1);
    const unknown = await client.api.account.endSignIn({ params: { id: crypto.randomUUID() } });
    expect(unknown.status).toBe(404);
    const changed = await client.api.account.changePassword({
      body: { currentPassword: password, newPassword: "a new passphrase" },
    });
    expect(changed.status).toBe(204);

    await client.api.tasks.create({ params: { userId }, body: { title: "take me with you" } });
    const exported = await client.api.account.exportAccount();
    expect(exported.status === 200 && exported.body.tasks.map((t) => t.title)).toEqual(["take me with you"]);

    const refused = await client.deleteAccount({ password });
    expect(refused.status).toBe(403);
    expect(await client.tokenStore.get()).not.toBeNull();
    expect((await client.deleteAccount({ password: "a new passphrase" })).status).toBe(204);
    expect(await client.tokenStore.get()).toBeNull();
    expect(
      (await createPlainClient({ baseUrl: inject("apiUrl") }).login({ email, password: "a new passphrase" })).status,
    ).toBe(401);
  });
});
