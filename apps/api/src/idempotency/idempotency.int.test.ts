import { randomUUID } from "node:crypto";
import { holdLock, type LockHolder, type SignedUpUser, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { purgeExpiredIdempotencyRecords } from "./idempotency-store.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const create = (user: SignedUpUser, body: unknown, key?: string, path = "tasks") =>
  app.request(`/api/v1/${user.id}/${path}`, {
    method: "POST",
    token: user.accessToken,
    body,
    headers: key === undefined ? {} : { "idempotency-key": key },
  });

/** Makes the key's record an unfinished claim whose lease has passed, as a process dying after its create. */
const crashAfterCreate = (user: SignedUpUser, key: string) => app.server.db.prisma.$executeRaw`
  UPDATE idempotency_records SET status = NULL, headers = NULL, body = NULL, claim = gen_random_uuid(),
    locked_until = now() - interval '1 second'
  WHERE user_id = ${user.id} AND key = ${key}`;

/** Makes the key's record an unfinished claim whose first attempt died before creating anything. */
async function crashBeforeCreate(user: SignedUpUser, key: string) {
  await app.server.db.prisma.$executeRaw`DELETE FROM tasks WHERE user_id = ${user.id}`;
  // No task, and so no deletion on record either.
  await app.server.db.prisma.$executeRaw`DELETE FROM sync_tombstones WHERE user_id = ${user.id}`;
  await crashAfterCreate(user, key);
}

async function taskCount(user: SignedUpUser): Promise<number> {
  const res = await app.request(`/api/v1/${user.id}/tasks?limit=100`, { token: user.accessToken });
  return res.body.items.length;
}

describe("Idempotency-Key on POST /tasks", () => {
  it("replays the first answer (same status, body, ETag) with Idempotent-Replayed and creates nothing", async () => {
    const user = await signUp(app);
    const key = randomUUID();
    const first = await create(user, { title: "Buy milk", description: "2 litres" }, key);
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();

    const again = await create(user, { description: "2 litres", title: "Buy milk" }, key); // key order is no matter
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(await taskCount(user)).toBe(1);
  });

  it("treats the draft's quoted form and the bare key as the same key", async () => {
    const user = await signUp(app);
    const first = await create(user, { title: "quoted" }, '"abc-123"');
    const again = await create(user, { title: "quoted" }, "abc-123");
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("refuses the same key with another body (422 IDEMPOTENCY_KEY_REUSED) and changes nothing", async () => {
    const user = await signUp(app);
    const key = randomUUID();
    expect((await create(user, { title: "first" }, key)).status).toBe(201);
    const other = await create(user, { title: "second" }, key);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await taskCount(user)).toBe(1);
  });

  it("without a key, every request creates", async () => {
    const user = await signUp(app);
    await create(user, { title: "a" });
    await create(user, { title: "a" });
    expect(await taskCount(user)).toBe(2);
  });

  it("20 concurrent requests with one key create exactly one task; the rest replay it or are told to wait", async () => {
    const user = await signUp(app);
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 20 }, () => create(user, { title: "once" }, key)));
    for (const r of results) expect([201, 409]).toContain(r.status);
    const created = results.filter((r) => r.status === 201);
    expect(created.filter((r) => r.headers.get("idempotent-replayed") === null)).toHaveLength(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results.filter((r) => r.status === 409)) {
      expect(r.body.error.code).toBe("IDEMPOTENCY_KEY_IN_USE");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    expect(await taskCount(user)).toBe(1);
    // Once the first has finished, everyone gets its answer.
    const later = await create(user, { title: "once" }, key);
    expect(later.status).toBe(201);
    expect(later.body.id).toBe(created[0]?.body.id);
  });

  it("is per user: another user's key never replays the first user's answer", async () => {
    const alice = await signUp(app);
    const bob = await signUp(app);
    const key = randomUUID();
    const a = await create(alice, { title: "alice's" }, key);
    const b = await create(bob, { title: "alice's" }, key);
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.body.userId).toBe(bob.id);
    expect(b.text).not.toContain(alice.id);
    // And another body under the same key is still fine for bob's own records only.
    expect((await create(bob, { title: "other" }, key)).body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await taskCount(alice)).toBe(1);
  });

  it("refuses malformed keys with 422 (header location) and creates nothing", async () => {
    const user = await signUp(app);
    for (const key of ["", "x".repeat(256), "caf\u00e9", '""']) {
      const res = await create(user, { title: "bad key" }, key);
      expect(res.status, JSON.stringify(key)).toBe(422);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(res.body.error.details[0]).toMatchObject({ location: "header", field: "idempotency-key" });
    }
    expect((await create(user, { title: "max" }, "k".repeat(255))).status).toBe(201);
    expect(await taskCount(user)).toBe(1);
  });

  it("a key whose first request is still running answers 409 IDEMPOTENCY_KEY_IN_USE", async () => {
    const user = await signUp(app);
    const key = randomUUID();
    const first = await create(user, { title: "slow" }, key);
    // Make the record look like a request in flight (claimed, lease still running), as a concurrent one would.
    await app.server.db.prisma.$executeRaw`
      UPDATE idempotency_records SET status = NULL, body = NULL, claim = gen_random_uuid(),
        locked_until = now() + interval '30 seconds'
      WHERE user_id = ${user.id} AND key = ${key}`;
    const res = await create(user, { title: "slow" }, key);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("IDEMPOTENCY_KEY_IN_USE");
    expect(res.headers.get("retry-after")).not.toBeNull();
    expect(first.status).toBe(201);
  });

  it("a first request that crashed does not block its key: once its lease has passed, a retry is processed", async () => {
    const user = await signUp(app);
    const key = randomUUID();
    await create(user, { title: "crashed" }, key);
    await crashBeforeCreate(user, key);
    const retry = await create(user, { title: "crashed" }, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(await taskCount(user)).toBe(1);
    // And its answer is kept from now on.
    const again = await create(user, { title: "crashed" }, key);
    expect(again.body.id).toBe(retry.body.id);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("a first request that created its task and died before keeping its answer: the retry finds that task", async () => {
    const user = await signUp(app);
    const key = randomUUID();
    const first = await create(user, { title: "made, then crashed" }, key);
    expect(first.status).toBe(201);
    // The task committed; the answer did not (the process died in between): the record is an unfinished claim.
    await crashAfterCreate(user, key);
    const retry = await create(user, { title: "made, then crashed" }, key);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(await taskCount(user)).toBe(1);
    const again = await create(user, { title: "made, then crashed" }, key);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    // The same for a list.
    const listKey = randomUUID();
    const list = await create(user, { name: "Made once" }, listKey, "lists");
    expect(list.status).toBe(201);
    await crashAfterCreate(user, listKey);
    const listRetry = await create(user, { name: "Made once" }, listKey, "lists");
    expect(listRetry.status).toBe(201);
    expect(listRetry.body.id).toBe(list.body.id);
    const lists = await app.request(`/api/v1/${user.id}/lists`, { token: user.accessToken });
    expect(lists.body.items).toHaveLength(1);
  });

  it("a first request that created its task and died, the task deleted since: the retry does not bring it back", async () => {
    const user = await signUp(app);
    for (const [path, body] of [
      ["tasks", { title: "made, crashed, deleted" }],
      ["lists", { name: "Made, crashed, deleted" }],
    ] as const) {
      const key = randomUUID();
      const first = await create(user, body, key, path);
      expect(first.status).toBe(201);
      await crashAfterCreate(user, key);
      // Deleted elsewhere (another device saw it in the list or the changes feed) before the client retried.
      const deleted = await app.request(`/api/v1/${user.id}/${path}/${first.body.id}`, {
        method: "DELETE",
        token: user.accessToken,
      });
      expect(deleted.status).toBe(204);

      const retry = await create(user, body, key, path);
      expect(retry.status).toBe(409);
      expect(retry.body.error.code).toBe("IDEMPOTENCY_KEY_RESOURCE_DELETED");
      expect(retry.headers.get("idempotent-replayed")).toBeNull();
      const gone = await app.request(`/api/v1/${user.id}/${path}/${first.body.id}`, { token: user.accessToken });
      expect(gone.status).toBe(404);
      // That answer is the key's from now on; a new key creates as usual.
      const again = await create(user, body, key, path);
      expect(again.status).toBe(409);
      expect(again.text).toBe(retry.text);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      const fresh = await create(user, body, randomUUID(), path);
      expect(fresh.status).toBe(201);
      expect(fresh.body.id).not.toBe(first.body.id);
    }
    expect(await taskCount(user)).toBe(1);
  });

  it("a resumed retry racing the deletion of what its first attempt made never leaves it behind", async () => {
    const user = await signUp(app);
    for (let round = 0; round < 10; round++) {
      for (const [path, body] of [
        ["tasks", { title: `raced ${round}` }],
        ["lists", { name: `Raced ${round}` }],
      ] as const) {
        const key = randomUUID();
        const first = await create(user, body, key, path);
        await crashAfterCreate(user, key);
        const [retry, deleted] = await Promise.all([
          create(user, body, key, path),
          app.request(`/api/v1/${user.id}/${path}/${first.body.id}`, { method: "DELETE", token: user.accessToken }),
        ]);
        // Either order, and nothing else: the retry finds the resource, then it is deleted; or the deletion comes
        // first and the retry refuses. Never a deadlock (503), never the resource brought back.
        expect([201, 409]).toContain(retry.status);
        if (retry.status === 201) expect(retry.body.id).toBe(first.body.id);
        expect(deleted.status).toBe(204);
        const after = await app.request(`/api/v1/${user.id}/${path}/${first.body.id}`, { token: user.accessToken });
        expect(after.status).toBe(404);
      }
    }
  });

  // The two orders, held in place by PostgreSQL's own locks (PGlite runs one statement at a time: nothing to race).
  describe.runIf(inject("database") === "postgres")("a resumed retry and a deletion, each order forced", () => {
    const holdSyncLock = (user: SignedUpUser) =>
      holdLock(inject("databaseUrl")!, "SELECT 1 FROM sync_counters WHERE user_id = $1 FOR UPDATE", [user.id]);
    const cases = [
      ["tasks", { title: "held in place" }],
      ["lists", { name: "Held in place" }],
    ] as const;

    type Answer = Awaited<ReturnType<typeof create>>;
    /** A keyed create whose process died before keeping its answer, and the owner's sync lock held. */
    async function resumableWithSyncLockHeld(path: (typeof cases)[number][0], body: object) {
      const user = await signUp(app);
      const key = randomUUID();
      const first = await create(user, body, key, path);
      await crashAfterCreate(user, key);
      const resourcePath = `/api/v1/${user.id}/${path}/${first.body.id}`;
      return {
        first,
        sync: await holdSyncLock(user),
        retry: () => create(user, body, key, path),
        remove: (): Promise<Answer> => app.request(resourcePath, { method: "DELETE", token: user.accessToken }),
        fetch: (): Promise<Answer> => app.request(resourcePath, { token: user.accessToken }),
      };
    }

    /**
     * Starts the deletion and, once `held` blocks it, the retry, which then waits too (for `held` or behind the
     * deletion); releases `held` and returns both answers.
     */
    async function deletionThenRetry(held: LockHolder, remove: () => Promise<Answer>, retry: () => Promise<Answer>) {
      let deleting: Promise<Answer> | undefined;
      let retrying: Promise<Answer> | undefined;
      try {
        deleting = remove();
        await held.waitForBlocked(1);
        retrying = retry();
        await held.waitForQueued(2);
      } finally {
        await held.release();
      }
      return { deleted: await deleting, retried: await retrying };
    }

    for (const [path, body] of cases) {
      it(`${path}: a retry whose ${path.slice(0, -1)} is still there answers with it without the sync lock; the deletion then goes ahead`, async () => {
        const { first, sync, retry, remove, fetch } = await resumableWithSyncLockHeld(path, body);
        let deleting: Promise<Answer> | undefined;
        try {
          // Before: the retry took the sync lock first, and a deletion holding the row while waiting for it
          // deadlocked with the retry's insert (one of the two answered 503).
          const retried = await retry();
          expect(retried.status).toBe(201);
          expect(retried.body.id).toBe(first.body.id);
          deleting = remove();
          await sync.waitForBlocked(1);
        } finally {
          await sync.release();
        }
        expect((await deleting).status).toBe(204);
        expect((await fetch()).status).toBe(404);
      });

      it(`${path}: a retry behind a deletion in progress waits for it, then refuses (409)`, async () => {
        const { sync, retry, remove, fetch } = await resumableWithSyncLockHeld(path, body);
        // The deletion holds the row and waits for the sync lock; the retry waits for the row.
        const { deleted, retried } = await deletionThenRetry(sync, remove, retry);
        expect(deleted.status).toBe(204);
        expect(retried?.status).toBe(409);
        expect(retried?.body.error.code).toBe("IDEMPOTENCY_KEY_RESOURCE_DELETED");
        expect((await fetch()).status).toBe(404);
      });
    }

    it("tasks: a retry that must create the task, in a list being deleted, waits for the deletion, then 422", async () => {
      const user = await signUp(app);
      const list = await create(user, { name: "Going away" }, undefined, "lists");
      const body = { title: "in a list going away", listId: list.body.id };
      const key = randomUUID();
      await create(user, body, key);
      await crashBeforeCreate(user, key);
      const held = await holdLock(inject("databaseUrl")!, "SELECT 1 FROM lists WHERE id = $1 FOR UPDATE", [
        list.body.id,
      ]);
      // The deletion goes first, then the retry queues for the list behind it. Before: the retry held the sync lock
      // while it waited, and the deletion's trigger waited for that lock: a deadlock, one of them a 503.
      const { deleted, retried } = await deletionThenRetry(
        held,
        () => app.request(`/api/v1/${user.id}/lists/${list.body.id}`, { method: "DELETE", token: user.accessToken }),
        () => create(user, body, key),
      );
      expect(deleted.status).toBe(204);
      expect(retried?.status).toBe(422);
      expect(retried?.body.error.details[0]).toMatchObject({ field: "listId", code: "unknown_list" });
      expect(await taskCount(user)).toBe(0);
    });
  });

  it("a new request after the key expired creates anew (the reserved id is the key's, not forever)", async () => {
    const user = await signUp(app);
    const key = randomUUID();
    const first = await create(user, { title: "once a day" }, key);
    await app.server.db.prisma.$executeRaw`
      UPDATE idempotency_records SET expires_at = now() - interval '1 second' WHERE user_id = ${user.id} AND key = ${key}`;
    const later = await create(user, { title: "once a day" }, key);
    expect(later.status).toBe(201);
    expect(later.body.id).not.toBe(first.body.id);
    expect(await taskCount(user)).toBe(2);
  });

  it("keeps a client error's answer too (the request was processed), and replays it", async () => {
    const user = await signUp(app);
    const key = randomUUID();
    const body = { title: "in a list", listId: randomUUID() }; // not one of the user's lists
    const first = await create(user, body, key);
    expect(first.status).toBe(422);
    const again = await create(user, body, key);
    expect(again.status).toBe(422);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await taskCount(user)).toBe(0);
  });

  it("forgets answers after IDEMPOTENCY_KEY_TTL: expired records are purged and the key is fresh again", async () => {
    const user = await signUp(app);
    const key = randomUUID();
    const first = await create(user, { title: "old" }, key);
    await app.server.db.prisma.$executeRaw`
      UPDATE idempotency_records SET expires_at = now() - interval '1 second' WHERE user_id = ${user.id}`;
    const fresh = await create(user, { title: "new body, same key" }, key);
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(first.body.id);
    await app.server.db.prisma.$executeRaw`
      UPDATE idempotency_records SET expires_at = now() - interval '1 second' WHERE user_id = ${user.id}`;
    expect(await purgeExpiredIdempotencyRecords(app.server.db.prisma)).toBeGreaterThanOrEqual(1);
    const left = await app.server.db.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM idempotency_records WHERE user_id = ${user.id}`;
    expect(left[0]?.n).toBe(0);
  });

  it("records go with the account (ON DELETE CASCADE)", async () => {
    const user = await signUp(app);
    await create(user, { title: "gone soon" }, randomUUID());
    await app.server.db.prisma.$executeRaw`DELETE FROM users WHERE id = ${user.id}`;
    const left = await app.server.db.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM idempotency_records WHERE user_id = ${user.id}`;
    expect(left[0]?.n).toBe(0);
  });
});

describe("Idempotency-Key on POST /lists", () => {
  it("replays a list create, creating one list even when 20 race with one key; a kept 409 replays too", async () => {
    const user = await signUp(app);
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => create(user, { name: "Groceries" }, key, "lists")),
    );
    for (const r of results) expect([201, 409]).toContain(r.status);
    const created = results.filter((r) => r.status === 201);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    const again = await create(user, { name: "Groceries" }, key, "lists");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const lists = await app.request(`/api/v1/${user.id}/lists`, { token: user.accessToken });
    expect(lists.body.items).toHaveLength(1);

    // A create the service refused (the name is taken) is an answer too: replayed with its status and body.
    const otherKey = randomUUID();
    const taken = await create(user, { name: "groceries" }, otherKey, "lists");
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("LIST_NAME_TAKEN");
    const replayed = await create(user, { name: "groceries" }, otherKey, "lists");
    expect([replayed.status, replayed.text]).toEqual([409, taken.text]);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
  });

  it("the same key on the tasks route and the lists route is another request: 422", async () => {
    const user = await signUp(app);
    const key = randomUUID();
    expect((await create(user, { title: "t" }, key)).status).toBe(201);
    const other = await create(user, { name: "t" }, key, "lists");
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });
});
