"use client";

import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { SORT_LABELS, SORTS, type Sort, type View, viewHref } from "./filters";

/**
 * "Search tasks" and "Sort by": a plain GET form before the JavaScript loads; afterwards the same form goes to
 * the view's own address (only what differs from the defaults), and a new sort applies as soon as it is chosen.
 */
export function SearchBar({ view }: { view: View }) {
  const router = useRouter();
  const go = (form: HTMLFormElement, change: Partial<View> = {}) => {
    const data = new FormData(form);
    const q = String(data.get("q") ?? "").trim();
    const sort = String(data.get("sort") ?? "manual") as Sort;
    router.push(viewHref(view, { q, sort: SORTS.includes(sort) ? sort : "manual", ...change }));
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    go(event.currentTarget);
  };
  return (
    <form action="/tasks" method="get" aria-label="Search and sort tasks" className="search-bar" onSubmit={submit}>
      {view.list && <input type="hidden" name="list" value={view.list} />}
      {view.filter !== "all" && <input type="hidden" name="filter" value={view.filter} />}
      <div className="search-field">
        <label htmlFor="search" className="visually-hidden">
          Search tasks
        </label>
        <input
          id="search"
          name="q"
          type="search"
          placeholder="Search tasks"
          defaultValue={view.q}
          key={view.q}
          maxLength={200}
          autoComplete="off"
        />
      </div>
      <div className="sort-field">
        <label htmlFor="sort">Sort by</label>
        <select
          id="sort"
          name="sort"
          defaultValue={view.sort}
          key={view.sort}
          onChange={(event) => event.currentTarget.form && go(event.currentTarget.form)}
        >
          {SORTS.map((s) => (
            <option key={s} value={s}>
              {SORT_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="secondary">
        Search
      </button>
    </form>
  );
}
