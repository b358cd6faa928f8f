import type { Task, TaskList } from "@todo/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SignedUpUser, signUp, startTestApp, type TestApp } from "../../test/harness.js";

// Every sort with every filter, walked page by page and compared with the order computed here from the tasks
// themselves (the spec's rules, not the server's SQL).

let app: TestApp;
let user: SignedUpUser;
let listA: TaskList;
let listB: TaskList;
let all: Task[];

const base = () => `/api/v1/${user.id}/tasks`;
const PRIORITY_RANK = { high: 0, medium: 1, low: 2, none: 3 } as const;

beforeAll(async () => {
  app = await startTestApp();
  user = await signUp(app);
  const post = async (suffix: string, body: unknown) =>
    (await app.request(`/api/v1/${user.id}${suffix}`, { method: "POST", token: user.accessToken, body })).body;
  listA = await post("/lists", { name: "A" });
  listB = await post("/lists", { name: "B" });
  const titles = ["Buy milk", "100% juice", "snake_case rename", "Call MOM", "water plants", "Mill visit", "tax"];
  const created: Task[] = [];
  for (let i = 0; i < 36; i++) {
    created.push(
      await post("/tasks", {
        title: `${titles[i % titles.length]} ${i}`,
        description: i % 5 === 0 ? "remember the MILK" : i % 7 === 0 ? "50%_off" : null,
        listId: i % 3 === 0 ? listA.id : i % 3 === 1 ? listB.id : null,
        // Few distinct dates and priorities, so that ties (broken by manual order, then id) are common.
        dueDate: i % 4 === 3 ? null : `2026-0${(i % 3) + 1}-1${i % 2}`,
        priority: (["none", "low", "medium", "high"] as const)[i % 4],
      }),
    );
  }
  // Manual order differs from creation order; some are completed (updatedAt changes too).
  for (const [i, afterIndex] of [
    [5, null],
    [20, 2],
    [33, 7],
    [11, null],
    [0, 30],
  ] as const) {
    await post(`/tasks/${created[i]!.id}/move`, { afterId: afterIndex === null ? null : created[afterIndex]!.id });
  }
  for (const i of [1, 4, 9, 16, 25, 30, 35]) {
    await app.request(`${base()}/${created[i]!.id}/complete`, { method: "PATCH", token: user.accessToken });
  }
  all = [];
  for (const t of created) all.push((await app.request(`${base()}/${t.id}`, { token: user.accessToken })).body);
});
afterAll(() => app.close());

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
const manual = (a: Task, b: Task) => cmp(a.position, b.position) || cmp(a.id, b.id);
const SORTS = {
  manual,
  created: (a: Task, b: Task) => cmp(a.createdAt, b.createdAt) || manual(a, b),
  updated: (a: Task, b: Task) => cmp(b.updatedAt, a.updatedAt) || manual(a, b),
  priority: (a: Task, b: Task) => cmp(PRIORITY_RANK[a.priority], PRIORITY_RANK[b.priority]) || manual(a, b),
  due: (a: Task, b: Task) => cmp(a.dueDate ?? "\uffff", b.dueDate ?? "\uffff") || manual(a, b),
} as const;

type Filter = Record<string, string>;
const FILTERS: [string, Filter, (t: Task) => boolean][] = [
  ["none", {}, () => true],
  ["active", { completed: "false" }, (t) => !t.completed],
  ["completed", { completed: "true" }, (t) => t.completed],
  ["list A", { listId: "A" }, (t) => t.listId === listA.id],
  ["no list", { listId: "none" }, (t) => t.listId === null],
  ["q=milk (title or description, any case)", { q: "milk" }, (t) => /milk/i.test(`${t.title}\n${t.description}`)],
  ["q=% (literal)", { q: "%" }, (t) => `${t.title}\n${t.description}`.includes("%")],
  ["q=_ (literal)", { q: "_" }, (t) => `${t.title}\n${t.description}`.includes("_")],
  ["q=mil", { q: "MIL" }, (t) => /mil/i.test(`${t.title}\n${t.description}`)],
  [
    "due window",
    { dueAfter: "2026-01-11", dueBefore: "2026-02-11" },
    (t) => t.dueDate !== null && t.dueDate >= "2026-01-11" && t.dueDate <= "2026-02-11",
  ],
  ["due before", { dueBefore: "2026-02-10" }, (t) => t.dueDate !== null && t.dueDate <= "2026-02-10"],
  ["priority high", { priority: "high" }, (t) => t.priority === "high"],
  [
    "list B, active, priority low, due after",
    { listId: "B", completed: "false", priority: "low", dueAfter: "2026-01-01" },
    (t) => t.listId === listB.id && !t.completed && t.priority === "low" && t.dueDate !== null,
  ],
];

async function walk(query: Filter, limit: number): Promise<Task[]> {
  const seen: Task[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const params: URLSearchParams = new URLSearchParams({ ...query, limit: String(limit), ...(cursor && { cursor }) });
    const res: { status: number; text: string; body: { items: Task[]; nextCursor: string | null } } = await app.request(
      `${base()}?${params}`,
      {
        token: user.accessToken,
      },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (cursor === null) return seen;
    expect(res.body.items).toHaveLength(limit);
  }
  throw new Error("too many pages");
}

describe.each(Object.keys(SORTS) as (keyof typeof SORTS)[])("sort=%s", (sort) => {
  it.each(FILTERS)("filter %s: every page in order, none repeated or skipped", async (_name, filter, keep) => {
    const query: Filter = { ...filter, sort };
    if (query.listId === "A") query.listId = listA.id;
    if (query.listId === "B") query.listId = listB.id;
    const expected = all
      .filter(keep)
      .sort(SORTS[sort])
      .map((t) => t.title);
    expect(expected.length, "the seed leaves something to page through").toBeGreaterThan(0);
    const paged = await walk(query, 4);
    expect(paged.map((t) => t.title)).toEqual(expected);
    // One page holding everything agrees.
    expect((await walk(query, 100)).map((t) => t.title)).toEqual(expected);
  });
});

describe("cursors and query validation", () => {
  it("continues only the sort it was made for: another sort's cursor is a 422", async () => {
    const first = await app.request(`${base()}?sort=due&limit=2`, { token: user.accessToken });
    const cursor = first.body.nextCursor as string;
    const res = await app.request(`${base()}?sort=manual&limit=2&cursor=${cursor}`, { token: user.accessToken });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0]).toMatchObject({ location: "query", field: "cursor" });
    expect((await app.request(`${base()}?limit=2&cursor=${cursor}`, { token: user.accessToken })).status).toBe(422);
  });

  it.each([
    ["sort", "title"],
    ["priority", "urgent"],
    ["listId", "someone"],
    ["dueBefore", "2026-02-30"],
    ["dueAfter", "tomorrow"],
    ["q", ""],
    ["q", "x".repeat(201)],
    [
      "cursor",
      Buffer.from(JSON.stringify(["due", "2026-02-31", "a0", "0b8f3c1e-1f0e-4a43-9a70-8f7a1f0c3d2b"])).toString(
        "base64url",
      ),
    ],
    [
      "cursor",
      Buffer.from(JSON.stringify(["manual", "a0'; DROP TABLE tasks", "0b8f3c1e-1f0e-4a43-9a70-8f7a1f0c3d2b"])).toString(
        "base64url",
      ),
    ],
  ])("refuses %s=%j with a 422 naming it", async (name, value) => {
    const sort = name === "cursor" ? (value.startsWith("WyJkdWUi") ? "&sort=due" : "") : "";
    const res = await app.request(`${base()}?${name}=${encodeURIComponent(value)}${sort}`, {
      token: user.accessToken,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0]).toMatchObject({ location: "query", field: name });
  });

  it("answers 422 for a listId filter naming no list of the caller's", async () => {
    const other = await signUp(app);
    const theirs = await app.request(`/api/v1/${other.id}/lists`, {
      method: "POST",
      token: other.accessToken,
      body: { name: "secret" },
    });
    await app.request(`/api/v1/${other.id}/tasks`, {
      method: "POST",
      token: other.accessToken,
      body: { title: "their task", listId: theirs.body.id },
    });
    const res = await app.request(`${base()}?listId=${theirs.body.id}`, { token: user.accessToken });
    expect(res.status).toBe(422);
    expect(res.text).not.toContain("their task");
  });
});
