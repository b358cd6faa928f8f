import { randomInt } from "node:crypto";
import { type SignedUpUser, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeOldTombstones } from "./changes-service.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

interface Replica {
  tasks: Map<string, any>;
  lists: Map<string, any>;
  cursor: string | undefined;
}
const emptyReplica = (): Replica => ({ tasks: new Map(), lists: new Map(), cursor: undefined });

const changes = (user: SignedUpUser, query: Record<string, string | number> = {}) =>
  app.request(`/api/v1/${user.id}/changes?${new URLSearchParams(query as Record<string, string>)}`, {
    token: user.accessToken,
  });

/** What a client does: ask from its cursor, apply every page, keep the last cursor; until `hasMore` is false. */
async function sync(user: SignedUpUser, replica: Replica, limit = 500): Promise<number> {
  let pages = 0;
  for (;;) {
    const res = await changes(user, { limit, ...(replica.cursor && { cursor: replica.cursor }) });
    expect(res.status, res.text).toBe(200);
    pages++;
    for (const task of res.body.tasks) replica.tasks.set(task.id, task);
    for (const list of res.body.lists) replica.lists.set(list.id, list);
    for (const id of res.body.deletedTaskIds) replica.tasks.delete(id);
    for (const id of res.body.deletedListIds) replica.lists.delete(id);
    replica.cursor = res.body.cursor;
    if (!res.body.hasMore) return pages;
  }
}

/** The server's state through the ordinary routes, not the feed. */
async function serverState(user: SignedUpUser) {
  const tasks = new Map<string, any>();
  let cursor: string | null = null;
  do {
    const res: any = await app.request(
      `/api/v1/${user.id}/tasks?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      { token: user.accessToken },
    );
    expect(res.status).toBe(200);
    for (const task of res.body.items) tasks.set(task.id, task);
    cursor = res.body.nextCursor;
  } while (cursor);
  const lists = new Map<string, any>();
  const res = await app.request(`/api/v1/${user.id}/lists`, { token: user.accessToken });
  for (const { activeCount: _a, completedCount: _c, ...list } of res.body.items) lists.set(list.id, list);
  return { tasks, lists };
}

async function expectInSync(user: SignedUpUser, replica: Replica) {
  const server = await serverState(user);
  const sorted = (m: Map<string, any>) => [...m.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  expect(sorted(replica.tasks)).toEqual(sorted(server.tasks));
  expect(sorted(replica.lists)).toEqual(sorted(server.lists));
}

const post = (user: SignedUpUser, path: string, body?: unknown) =>
  app.request(`/api/v1/${user.id}${path}`, { method: "POST", token: user.accessToken, body });
const put = (user: SignedUpUser, path: string, body: unknown) =>
  app.request(`/api/v1/${user.id}${path}`, { method: "PUT", token: user.accessToken, body });
const del = (user: SignedUpUser, path: string) =>
  app.request(`/api/v1/${user.id}${path}`, { method: "DELETE", token: user.accessToken });

describe("GET /changes", () => {
  it("without a cursor: the whole current state, in pages; then only what changed", async () => {
    const user = await signUp(app);
    const empty = await changes(user);
    expect(empty.body).toMatchObject({ tasks: [], lists: [], deletedTaskIds: [], deletedListIds: [], hasMore: false });

    const list = (await post(user, "/lists", { name: "Home" })).body;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push((await post(user, "/tasks", { title: `t${i}`, listId: i < 3 ? list.id : null })).body.id);
    await del(user, `/tasks/${ids[6]}`); // deleted before the first sync: never mentioned to this client

    const replica = emptyReplica();
    expect(await sync(user, replica, 3)).toBe(3); // 6 tasks + 1 list in pages of 3
    expect(replica.tasks.size).toBe(6);
    await expectInSync(user, replica);

    // Nothing new: an empty page, and the cursor still works.
    const idle = await changes(user, { cursor: replica.cursor! });
    expect(idle.body).toMatchObject({ tasks: [], lists: [], deletedTaskIds: [], deletedListIds: [], hasMore: false });

    await put(user, `/tasks/${ids[0]}`, { title: "renamed" });
    await app.request(`/api/v1/${user.id}/tasks/${ids[4]}/complete`, { method: "PATCH", token: user.accessToken });
    await del(user, `/tasks/${ids[5]}`);
    await put(user, `/lists/${list.id}`, { name: "House" });
    const added = (await post(user, "/tasks", { title: "new" })).body;
    const delta = await changes(user, { cursor: replica.cursor! });
    expect(delta.body.tasks.map((t: any) => t.id).sort()).toEqual([ids[0], ids[4], added.id].sort());
    expect(delta.body.deletedTaskIds).toEqual([ids[5]]);
    expect(delta.body.lists).toEqual([expect.objectContaining({ id: list.id, name: "House" })]);
    await sync(user, replica);
    await expectInSync(user, replica);

    // Deleting a list deletes its tasks: the feed says so for each.
    await del(user, `/lists/${list.id}`);
    const gone = await changes(user, { cursor: replica.cursor! });
    expect(gone.body.deletedListIds).toEqual([list.id]);
    expect([...gone.body.deletedTaskIds].sort()).toEqual([ids[0], ids[1], ids[2]].sort());
    await sync(user, replica);
    await expectInSync(user, replica);
  });

  it("moves (many into one gap) and clear-completed reach a syncing client", async () => {
    const user = await signUp(app);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(user, "/tasks", { title: `m${i}` })).body.id);
    const replica = emptyReplica();
    await sync(user, replica);
    await post(user, `/tasks/${ids[4]}/move`, { afterId: null });
    await post(user, `/tasks/${ids[0]}/move`, { afterId: ids[2] });
    for (const id of [ids[1], ids[3]])
      await app.request(`/api/v1/${user.id}/tasks/${id}/complete`, { method: "PATCH", token: user.accessToken });
    await app.request(`/api/v1/${user.id}/tasks?completed=true`, { method: "DELETE", token: user.accessToken });
    // Many moves into the same gap make keys long enough to renumber the whole order.
    for (let i = 0; i < 60; i++) await post(user, `/tasks/${i % 2 ? ids[0] : ids[4]}/move`, { afterId: ids[2] });
    await sync(user, replica, 2);
    await expectInSync(user, replica);
  });

  it("refuses forged and malformed cursors with a 4xx, never a 500", async () => {
    const user = await signUp(app);
    await post(user, "/tasks", { title: "x" });
    const b64 = (s: string) => Buffer.from(s).toString("base64url");
    const malformed = [
      "garbage!",
      b64("1:abc:0"),
      b64("2:1:1"),
      b64("1:-1:0"),
      b64(`1:${"9".repeat(20)}:0`),
      "%00",
      "a".repeat(513),
    ];
    for (const cursor of malformed) {
      const res = await changes(user, { cursor });
      expect(res.status, cursor).toBe(422);
      expect(res.body.error.details[0]).toMatchObject({ location: "query", field: "cursor" });
    }
    // Well-formed but from the future (forged, or another database): the client must start again.
    const future = await changes(user, { cursor: b64("1:999999:999999") });
    expect(future.status).toBe(410);
    expect(future.body.error.code).toBe("CURSOR_EXPIRED");
    for (const limit of ["0", "1001", "x", "1.5"]) expect((await changes(user, { limit })).status, limit).toBe(422);
  });

  it("410 CURSOR_EXPIRED once deletions after the cursor were purged (SYNC_TOMBSTONE_TTL); a fresh sync recovers", async () => {
    const user = await signUp(app);
    const a = (await post(user, "/tasks", { title: "a" })).body;
    const b = (await post(user, "/tasks", { title: "b" })).body;
    const replica = emptyReplica();
    await sync(user, replica);
    const oldCursor = replica.cursor!;
    await del(user, `/tasks/${a.id}`);
    const prisma = app.server.db.prisma;
    await prisma.$executeRaw`UPDATE sync_tombstones SET deleted_at = now() - interval '31 days' WHERE user_id = ${user.id}`;
    expect(await purgeOldTombstones(prisma, 30 * 86_400)).toBeGreaterThanOrEqual(1);

    const expired = await changes(user, { cursor: oldCursor });
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe("CURSOR_EXPIRED");

    const fresh = emptyReplica();
    await sync(user, fresh);
    expect([...fresh.tasks.keys()]).toEqual([b.id]);
    await expectInSync(user, fresh);
    // A cursor issued after the purge keeps working.
    await del(user, `/tasks/${b.id}`);
    expect((await changes(user, { cursor: fresh.cursor! })).body.deletedTaskIds).toEqual([b.id]);
  });

  it("keeps each user's feed to their own data: other users' changes, cursors and paths", async () => {
    const alice = await signUp(app);
    const bob = await signUp(app);
    await post(alice, "/tasks", { title: "alice's secret" });
    const aliceList = (await post(alice, "/lists", { name: "alice's list" })).body;
    await del(alice, `/lists/${aliceList.id}`);
    const bobTask = (await post(bob, "/tasks", { title: "bob's" })).body;

    const aliceReplica = emptyReplica();
    await sync(alice, aliceReplica);
    const bobFeed = await changes(bob);
    expect(bobFeed.body.tasks.map((t: any) => t.id)).toEqual([bobTask.id]);
    expect(bobFeed.text).not.toContain("alice");
    // Alice's cursor in Bob's hands reads Bob's feed only (or says it is not his to use).
    const borrowed = await changes(bob, { cursor: aliceReplica.cursor! });
    expect([200, 410]).toContain(borrowed.status);
    expect(borrowed.text).not.toContain("alice");
    // Alice's path with Bob's token.
    const foreign = await app.request(`/api/v1/${alice.id}/changes`, { token: bob.accessToken });
    expect(foreign.status).toBe(403);
    expect(foreign.text).not.toContain("alice's");
    expect((await app.request(`/api/v1/${alice.id}/changes`)).status).toBe(401);
  });

  it("deleting an account takes its counter and tombstones with it (the tombstone trigger stands aside)", async () => {
    const user = await signUp(app);
    const list = (await post(user, "/lists", { name: "L" })).body;
    await post(user, "/tasks", { title: "in list", listId: list.id });
    await post(user, "/tasks", { title: "loose" });
    await del(user, `/tasks/${(await post(user, "/tasks", { title: "gone" })).body.id}`);
    const prisma = app.server.db.prisma;
    await prisma.$executeRaw`DELETE FROM users WHERE id = ${user.id}`;
    const rows = await prisma.$queryRaw<{ n: number }[]>`
      SELECT ((SELECT count(*) FROM sync_counters WHERE user_id = ${user.id})
        + (SELECT count(*) FROM sync_tombstones WHERE user_id = ${user.id})
        + (SELECT count(*) FROM tasks WHERE user_id = ${user.id}))::int AS n`;
    expect(rows[0]?.n).toBe(0);
  });
});

describe("a syncing client never misses a change while others write", () => {
  it("concurrent writers (creates, updates, toggles, moves, deletes, lists) and a reader end in the same state", async () => {
    const user = await signUp(app);
    const taskIds: string[] = [];
    const listIds: string[] = [];
    for (let i = 0; i < 3; i++) listIds.push((await post(user, "/lists", { name: `list ${i}` })).body.id);
    for (let i = 0; i < 15; i++) taskIds.push((await post(user, "/tasks", { title: `seed ${i}` })).body.id);

    const pick = <T>(items: T[]): T | undefined => items[randomInt(items.length || 1)];
    const unexpected: string[] = [];
    const check = (res: { status: number; text: string }, what: string) => {
      // Racing writers may find a task or list gone (404, 422 for a list or anchor that vanished) or a name
      // taken (409); anything 5xx is a failure.
      if (res.status >= 500) unexpected.push(`${what}: ${res.status} ${res.text}`);
    };
    let running = true;
    let syncs = 0;
    const writer = async (w: number) => {
      for (let op = 0; op < 30; op++) {
        // Halfway, each writer waits for the reader to have finished a sync: the reader then surely syncs while
        // writes go on (a loaded machine could otherwise let the writers finish within the reader's first sync).
        while (op === 15 && syncs < 1) await new Promise((r) => setTimeout(r, 10));
        const roll = randomInt(100);
        const task = pick(taskIds);
        if (roll < 25 || !task) {
          const res = await post(user, "/tasks", {
            title: `w${w}-${op}`,
            listId: roll < 10 ? (pick(listIds) ?? null) : null,
          });
          check(res, "create");
          if (res.status === 201) taskIds.push(res.body.id);
        } else if (roll < 45) {
          check(
            await put(user, `/tasks/${task}`, { title: `w${w}-${op} edit`, priority: pick(["low", "high"]) }),
            "update",
          );
        } else if (roll < 60) {
          check(
            await app.request(`/api/v1/${user.id}/tasks/${task}/complete`, {
              method: "PATCH",
              token: user.accessToken,
            }),
            "toggle",
          );
        } else if (roll < 75) {
          check(
            await post(user, `/tasks/${task}/move`, { afterId: roll < 68 ? (pick(taskIds) ?? null) : null }),
            "move",
          );
        } else if (roll < 87) {
          check(await del(user, `/tasks/${task}`), "delete");
        } else if (roll < 92) {
          const res = await post(user, "/lists", { name: `w${w}-${op}` });
          check(res, "create list");
          if (res.status === 201) listIds.push(res.body.id);
        } else if (roll < 96) {
          const list = pick(listIds);
          if (list) check(await put(user, `/lists/${list}`, { name: `w${w}-${op} renamed` }), "rename list");
        } else {
          const list = pick(listIds);
          if (list) check(await del(user, `/lists/${list}`), "delete list");
        }
      }
    };
    const replica = emptyReplica();
    const reader = async () => {
      while (running) {
        await sync(user, replica, 5);
        syncs++;
      }
    };
    const readerDone = reader();
    await Promise.all(Array.from({ length: 6 }, (_, w) => writer(w)));
    running = false;
    await readerDone;
    expect(unexpected).toEqual([]);
    expect(syncs).toBeGreaterThan(1);

    await sync(user, replica, 5);
    await expectInSync(user, replica);
    // And one that starts from scratch now agrees too.
    const fresh = emptyReplica();
    await sync(user, fresh, 7);
    await expectInSync(user, fresh);
  });
});
