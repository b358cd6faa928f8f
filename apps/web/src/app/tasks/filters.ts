export const FILTERS = ["all", "active", "completed"] as const;
export type Filter = (typeof FILTERS)[number];

export const SORTS = ["manual", "due", "priority", "created", "updated"] as const;
export type Sort = (typeof SORTS)[number];
export const SORT_LABELS: Record<Sort, string> = {
  manual: "My order",
  due: "Due date",
  priority: "Priority",
  created: "Date added",
  updated: "Recently changed",
};

export const PAGE_SIZE = 20;
const ID = /^[\w-]{1,64}$/;
const Q_MAX = 200;

/** What the task page shows: a filter, a list (an id, "none" for tasks in no list, or all), a search and a sort. */
export interface View {
  filter: Filter;
  list: string | null;
  q: string;
  sort: Sort;
}

export function parseFilter(value: unknown): Filter {
  return FILTERS.includes(value as Filter) ? (value as Filter) : "all";
}

const one = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);

/** The view from the page's query string (or a Server Action's argument): anything odd falls back to the default. */
export function parseView(params: Record<string, unknown> | null | undefined): View {
  const p = params ?? {};
  const list = one(p.list);
  const q = one(p.q);
  const sort = one(p.sort);
  return {
    filter: parseFilter(one(p.filter)),
    list: typeof list === "string" && ID.test(list) ? list : null,
    q: typeof q === "string" ? q.trim().slice(0, Q_MAX) : "",
    sort: SORTS.includes(sort as Sort) ? (sort as Sort) : "manual",
  };
}

/** The view's address: only what differs from the defaults. */
export function viewHref(view: View, change: Partial<View> = {}): string {
  const v = { ...view, ...change };
  const params = new URLSearchParams();
  if (v.list) params.set("list", v.list);
  if (v.filter !== "all") params.set("filter", v.filter);
  if (v.q) params.set("q", v.q);
  if (v.sort !== "manual") params.set("sort", v.sort);
  const query = params.toString();
  return query ? `/tasks?${query}` : "/tasks";
}

/** The API's `completed` query for a filter. */
export function completedQuery(filter: Filter): { completed?: "true" | "false" } {
  if (filter === "active") return { completed: "false" };
  if (filter === "completed") return { completed: "true" };
  return {};
}

/** The API's list query for a view (without limit and cursor). */
export function listQuery(view: View) {
  return {
    ...completedQuery(view.filter),
    ...(view.list ? { listId: view.list } : {}),
    ...(view.q ? { q: view.q } : {}),
    sort: view.sort,
  };
}

/** Whether a task belongs in the view as far as the page can tell without asking the API (search aside). */
export function belongsTo(
  task: { completed: boolean; listId: string | null },
  view: Pick<View, "filter" | "list">,
): boolean {
  if (view.filter === "active" && task.completed) return false;
  if (view.filter === "completed" && !task.completed) return false;
  if (view.list === "none") return task.listId === null;
  if (view.list) return task.listId === view.list;
  return true;
}

/** "2026-03-04" in the reader's calendar, from a Date. */
export function isoDate(date: Date): string {
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  return `${date.getFullYear()}-${m}-${d}`;
}

/** "Tue 4 Mar" (this year) or "4 Mar 2027": a calendar date, with no time zone to shift it. */
export function formatDue(due: string, today: string): string {
  const [y, m, d] = due.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  const sameYear = due.slice(0, 4) === today.slice(0, 4);
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: "UTC",
    weekday: sameYear ? "short" : undefined,
    day: "numeric",
    month: "short",
    year: sameYear ? undefined : "numeric",
  }).format(date);
}

export type DueState = "overdue" | "today" | "upcoming" | null;

export function dueState(task: { dueDate: string | null; completed: boolean }, today: string): DueState {
  if (!task.dueDate) return null;
  if (task.completed) return "upcoming";
  if (task.dueDate < today) return "overdue";
  if (task.dueDate === today) return "today";
  return "upcoming";
}
