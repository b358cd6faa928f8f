export const FILTERS = ["all", "active", "completed"] as const;
export type Filter = (typeof FILTERS)[number];

export const PAGE_SIZE = 20;

export function parseFilter(value: unknown): Filter {
  return FILTERS.includes(value as Filter) ? (value as Filter) : "all";
}

/** The API's `completed` query for a filter. */
export function completedQuery(filter: Filter): { completed?: "true" | "false" } {
  if (filter === "active") return { completed: "false" };
  if (filter === "completed") return { completed: "true" };
  return {};
}
