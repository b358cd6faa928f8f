import { signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const exportOf = (token: string) => app.request("/api/v1/auth/me/export", { token });

/** Fills an account with `count` tasks in one statement (every field set on some), as fast as the database can. */
async function seedTasks(userId: string, count: number): Promise<void> {
  await app.server.db.prisma.$executeRaw`
    INSERT INTO tasks (id, user_id, title, description, completed, created_at, updated_at, position)
    SELECT gen_random_uuid(), ${userId}, 'task ' || i, CASE WHEN i % 2 = 0 THEN 'about ' || i END, i % 3 = 0,
      now() - make_interval(secs => ${count} - i), now(), 'b' || lpad(i::text, 6, '0')
    FROM generate_series(1, ${count}) AS i`;
}

describe("GET /auth/me/export", () => {
  it("downloads the user, lists and tasks as a JSON attachment, every field, the owner's data only", async () => {
    const user = await signUp(app);
    const other = await signUp(app);
    const list = await app.request(`/api/v1/${user.id}/lists`, {
      method: "POST",
      token: user.accessToken,
      body: { name: "Groceries" },
    });
    expect(list.status).toBe(201);
    const created = await app.request(`/api/v1/${user.id}/tasks`, {
      method: "POST",
      token: user.accessToken,
      body: {
        title: "Buy milk",
        description: "2 litres",
        listId: list.body.id,
        dueDate: "2030-01-31",
        priority: "high",
      },
    });
    expect(created.status).toBe(201);
    const done = await app.request(`/api/v1/${user.id}/tasks/${created.body.id}/complete`, {
      method: "PATCH",
      token: user.accessToken,
    });
    const second = await app.request(`/api/v1/${user.id}/tasks`, {
      method: "POST",
      token: user.accessToken,
      body: { title: "Second" },
    });
    await app.request(`/api/v1/${other.id}/tasks`, { method: "POST", token: other.accessToken, body: { title: "x" } });
    const res = await exportOf(user.accessToken);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="todo-export-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toEqual({
      exportedAt: expect.any(String),
      user: { id: user.id, email: user.email, createdAt: expect.any(String), updatedAt: expect.any(String) },
      lists: [{ id: list.body.id, name: "Groceries", createdAt: list.body.createdAt, updatedAt: list.body.updatedAt }],
      tasks: [done.body, second.body],
    });
    expect(res.body.tasks[0]).toMatchObject({
      listId: list.body.id,
      dueDate: "2030-01-31",
      priority: "high",
      completed: true,
      completedAt: expect.any(String),
      position: expect.any(String),
    });
    expect(Math.abs(Date.parse(res.body.exportedAt) - Date.now())).toBeLessThan(60_000);
    expect(res.text).not.toContain("password");
  });

  it("exports 10,000 tasks, complete and in the owner's order", async () => {
    const user = await signUp(app);
    await seedTasks(user.id, 10_000);
    const res = await exportOf(user.accessToken);
    expect(res.status).toBe(200);
    // Streamed: sent in chunks as it is read, never assembled first (memory figures: bench/account-export.ts).
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
    expect(res.headers.get("content-length")).toBeNull();
    const tasks = res.body.tasks as { id: string; title: string; userId: string; createdAt: string }[];
    expect(tasks).toHaveLength(10_000);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(10_000);
    expect(tasks[0]!.title).toBe("task 1");
    expect(tasks.at(-1)!.title).toBe("task 10000");
    expect(tasks.every((t) => t.userId === user.id)).toBe(true);
  });

  it("an empty account exports empty arrays; no token is 401", async () => {
    const user = await signUp(app);
    const res = await exportOf(user.accessToken);
    expect(res.body.tasks).toEqual([]);
    expect((await app.request("/api/v1/auth/me/export")).status).toBe(401);
  });
});
