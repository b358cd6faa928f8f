"use client";

import Form from "next/form";
import { useRef } from "react";
import { SORT_LABELS, SORTS, type View } from "./filters";

/** "Search tasks" and "Sort by": a plain GET form (works before JavaScript loads); the sort applies on change. */
export function SearchBar({ view }: { view: View }) {
  const form = useRef<HTMLFormElement>(null);
  return (
    <Form action="/tasks" ref={form} role="search" aria-label="Tasks" className="search-bar">
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
        <select id="sort" name="sort" defaultValue={view.sort} onChange={() => form.current?.requestSubmit()}>
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
    </Form>
  );
}
