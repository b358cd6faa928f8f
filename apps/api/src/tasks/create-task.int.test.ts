import { randomUUID } from "node:crypto";
import type { Task, TaskList } from "@todo/contract";
import { type SignedUpUser, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { BASE_62_DIGITS, generateKeyBetween } from "fractional-indexing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The `create_task` function (one round trip per create): its port of the library's next key, the task count the
// quota reads, and the library fallback. Concurrency is in organising-concurrency.int.test.ts.
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ MAX_TASKS_PER_USER: "5" });
});
afterAll(() => app.close());

const call = <T = any>(user: SignedUpUser, method: string, suffix: string, body?: unknown) =>
  app.request<T>(`/api/v1/${user.id}${suffix}`, { method, token: user.accessToken, body });
const createTask = async (user: SignedUpUser, body: Record<string, unknown>): Promise<Task> => {
  const res = await call<Task>(user, "POST", "/tasks", body);
  expect(res.status, res.text).toBe(201);
  return res.body;
};

/** The count the quota reads, and the tasks actually there. */
const counts = async (user: SignedUpUser) => {
  const { rows } = await sql<{ kept: number | null; actual: number }>`SELECT
      (SELECT task_count FROM sync_counters WHERE user_id = ${user.id}) AS kept,
      (SELECT count(*)::int FROM tasks WHERE user_id = ${user.id}) AS actual`.execute(app.server.db.sql);
  return rows[0]!;
};

const HEADS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const integerLength = (head: number) => (head < 26 ? 27 - head : head - 24);
/** A deterministic pseudo-random digit source, so a failure reproduces. */
let seed = 42;
const nextDigit = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return BASE_62_DIGITS[seed % 62]!;
};

/** Valid keys of every integer length: random digits, digits that all carry, and fractional parts. */
function sampleKeys(): string[] {
  const keys: string[] = [];
  for (let head = 0; head < HEADS.length; head++) {
    const h = HEADS[head]!;
    const n = integerLength(head) - 1;
    const integers = [
      "z".repeat(n),
      `${"0".repeat(n - 1)}1`,
      `${nextDigit()}${"z".repeat(n - 1)}`,
      ...Array.from({ length: 12 }, () => Array.from({ length: n }, nextDigit).join("")),
    ];
    for (const digits of integers) {
      for (const fraction of ["", "V", "1", "zz", `${nextDigit()}${nextDigit()}z`]) keys.push(h + digits + fraction);
    }
  }
  // And a long run of creates from the first key, through the "az" -> "b00" carry.
  let key = generateKeyBetween(null, null);
  for (let i = 0; i < 4000; i++) {
    keys.push(key);
    key = generateKeyBetween(key, null);
  }
  // From the most negative integers up across "Zz" -> "a0".
  key = `A${"0".repeat(25)}1`;
  for (let i = 0; i < 200; i++) {
    keys.push(key);
    key = generateKeyBetween(key, null);
  }
  keys.push("Yzz", "Zz", "Zzz5", "azV");
  return keys;
}

describe("the next key after the last position (task_position_after)", () => {
  it("is the library's generateKeyBetween(key, null) on every valid key, NULL only where the library must run", async () => {
    const keys = sampleKeys();
    const { rows } = await sql<{ next: string | null }>`SELECT task_position_after(k) AS next
      FROM unnest(${keys}::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n`.execute(app.server.db.sql);
    expect(rows).toHaveLength(keys.length);
    keys.forEach((key, i) => {
      // Only the largest integer ("z" and 26 more "z") cannot grow: the library then extends the fractional part.
      const expected = key.startsWith("z".repeat(27)) ? null : generateKeyBetween(key, null);
      expect(rows[i]!.next, key).toBe(expected);
    });
    expect(rows.filter((r) => r.next === null).length).toBeGreaterThanOrEqual(5);
  });

  it("is NULL for what is not a key, so the library decides (and refuses) those", async () => {
    const bad = ["", "a", "!", "b0", "é0", "A", "a0V0", `A${"0".repeat(26)}`, "a00"];
    for (const key of bad) expect(() => generateKeyBetween(key, null), key).toThrow();
    const { rows } = await sql<{ next: string | null }>`SELECT task_position_after(k) AS next
      FROM unnest(${bad}::text[]) AS k`.execute(app.server.db.sql);
    expect(rows.map((r) => r.next)).toEqual(bad.map(() => null));
  });
});

describe("create_task", () => {
  it("keeps the quota's task count right through creates, deletes, clear completed and a list's cascade", async () => {
    const user = await signUp(app);
    const list = (await call<TaskList>(user, "POST", "/lists", { name: "L" })).body;
    const inList = await createTask(user, { title: "in list", listId: list.id });
    const done = await createTask(user, { title: "done" });
    const loose = await createTask(user, { title: "loose" });
    await createTask(user, { title: "kept" });
    expect(await counts(user)).toEqual({ kept: 4, actual: 4 });

    expect((await call(user, "DELETE", `/tasks/${loose.id}`)).status).toBe(204);
    await call(user, "PATCH", `/tasks/${done.id}/complete`);
    expect((await call(user, "DELETE", "/tasks?completed=true")).body).toEqual({ deleted: 1 });
    expect((await call(user, "DELETE", `/lists/${list.id}`)).status).toBe(204);
    expect((await call(user, "GET", `/tasks/${inList.id}`)).status).toBe(404);
    expect(await counts(user)).toEqual({ kept: 1, actual: 1 });

    // The freed places are usable again, and the quota (5) still holds.
    for (let i = 0; i < 4; i++) await createTask(user, { title: `again ${i}` });
    const refused = await call(user, "POST", "/tasks", { title: "one too many" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("QUOTA_EXCEEDED");
    expect(await counts(user)).toEqual({ kept: 5, actual: 5 });
  });

  it("refuses another person's list (422) without counting the task", async () => {
    const user = await signUp(app);
    const other = await signUp(app);
    const theirs = (await call<TaskList>(other, "POST", "/lists", { name: "Theirs" })).body;
    const res = await call(user, "POST", "/tasks", { title: "x", listId: theirs.id });
    expect(res.status).toBe(422);
    expect(await counts(user)).toMatchObject({ actual: 0 });
    expect((await counts(user)).kept ?? 0).toBe(0);
    await createTask(user, { title: "first" });
    expect(await counts(user)).toEqual({ kept: 1, actual: 1 });
  });

  it("asks the library for the next key when the last position's integer part cannot grow", async () => {
    const user = await signUp(app);
    const task = await createTask(user, { title: "last" });
    const largest = `${"z".repeat(27)}V`;
    await app.server.db.sql.updateTable("tasks").set({ position: largest }).where("id", "=", task.id).execute();
    const next = await createTask(user, { title: "after it" });
    expect(next.position).toBe(generateKeyBetween(largest, null));
    expect(next.position > largest).toBe(true);
    const items = (await call(user, "GET", "/tasks?limit=10")).body.items as Task[];
    expect(items.map((t) => t.title)).toEqual(["last", "after it"]);
  });

  it("counts in its own write of the counter; inserts of any other SQL, after it in the same transaction, still count", async () => {
    const user = await signUp(app);
    await createTask(user, { title: "first" });
    const db = app.server.db.sql;
    const setting = await db.transaction().execute(async (tx) => {
      await sql`SELECT id FROM create_task(${user.id}, 'second', NULL, NULL, NULL, 0::smallint, 5)`.execute(tx);
      // Not create_task's insert: the full way (locks, the statement trigger's count), two rows in one statement.
      await sql`INSERT INTO tasks (id, user_id, title, position, created_at, updated_at)
        SELECT gen_random_uuid(), ${user.id}, 'bulk ' || n, 'b' || n, now(), now() FROM generate_series(1, 2) AS n`.execute(
        tx,
      );
      const { rows } = await sql<{
        value: string | null;
      }>`SELECT current_setting('todo.counted_owner', true) AS value`.execute(tx);
      return rows[0]!.value;
    });
    expect(setting ?? "").toBe("");
    expect(await counts(user)).toEqual({ kept: 4, actual: 4 });
    // A create that fails (another person's list) leaves the count as it was.
    const other = await signUp(app);
    const theirs = (await call<TaskList>(other, "POST", "/lists", { name: "Theirs" })).body;
    expect((await call(user, "POST", "/tasks", { title: "x", listId: theirs.id })).status).toBe(422);
    expect(await counts(user)).toEqual({ kept: 4, actual: 4 });
  });

  it("makes the counter of an owner who has none yet (first task)", async () => {
    const user = await signUp(app);
    await sql`DELETE FROM sync_counters WHERE user_id = ${user.id}`.execute(app.server.db.sql);
    expect((await counts(user)).kept).toBeNull();
    await createTask(user, { title: "first" });
    expect(await counts(user)).toEqual({ kept: 1, actual: 1 });
  });

  it("races creates into a list with the list's deletion: each create is a 201 or a 422, and the count follows", async () => {
    for (let round = 0; round < 5; round++) {
      const user = await signUp(app);
      const list = (await call<TaskList>(user, "POST", "/lists", { name: `L${round}` })).body;
      const [deleted, ...creates] = await Promise.all([
        call(user, "DELETE", `/lists/${list.id}`),
        ...Array.from({ length: 6 }, (_, i) => call(user, "POST", "/tasks", { title: `t${i}`, listId: list.id })),
      ]);
      expect(deleted!.status).toBe(204);
      for (const res of creates) expect([201, 422], res.text).toContain(res.status);
      // Whatever was created before the deletion went with the list.
      expect(await counts(user)).toEqual({ kept: 0, actual: 0 });
    }
  });

  it("raises TD401 for an owner that does not exist, creating nothing", async () => {
    const owner = `nobody-${randomUUID()}`;
    await expect(
      sql`SELECT * FROM create_task(${owner}, 'x', NULL, NULL, NULL, 0::smallint, 5)`.execute(app.server.db.sql),
    ).rejects.toMatchObject({ code: "TD401" });
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks WHERE user_id = ${owner}`.execute(
      app.server.db.sql,
    );
    expect(rows[0]!.n).toBe(0);
  });
});
