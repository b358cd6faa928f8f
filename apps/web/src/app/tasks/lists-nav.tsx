"use client";

import { LIST_NAME_MAX_LENGTH, type TaskList } from "@todo/contract";
import Link from "next/link";
import { useActionState } from "react";
import { FieldError } from "@/components/field-error";
import { createList, type ListFormState } from "./actions";
import { type View, viewHref } from "./filters";

const INITIAL: ListFormState = { name: "", fieldErrors: {}, formError: null };

/** The "Lists" navigation: every task, tasks in no list, each list by name; and "Add list". */
export function ListsNav({ lists, view, noListCount }: { lists: TaskList[]; view: View; noListCount: number | null }) {
  const [state, action, pending] = useActionState(createList, INITIAL);
  const nameError = state.fieldErrors.name;
  const link = (list: string | null, label: string, count: number | null) => (
    <li key={list ?? "all"}>
      <Link href={viewHref({ ...view, q: "" }, { list })} aria-current={view.list === list ? "page" : undefined}>
        <span className="list-name">{label}</span>
        {/* The link's name is the list's name; its count is on the page once it is open. */}
        {count !== null && count > 0 && (
          <span className="count" aria-hidden="true">
            {count}
          </span>
        )}
      </Link>
    </li>
  );
  return (
    <div className="sidebar-inner">
      <nav aria-labelledby="lists-heading" className="lists-nav">
        <h2 id="lists-heading">Lists</h2>
        <ul>
          {link(null, "All tasks", null)}
          {link("none", "No list", noListCount)}
          {lists.map((l) => link(l.id, l.name, l.activeCount))}
        </ul>
      </nav>
      <form action={action} className="add-list" noValidate>
        <div className="field">
          <label htmlFor="list-name">List name</label>
          <div className="inline-field">
            <input
              id="list-name"
              name="name"
              type="text"
              required
              maxLength={LIST_NAME_MAX_LENGTH}
              autoComplete="off"
              defaultValue={state.name}
              key={state.name}
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? "list-name-error" : undefined}
            />
            <button type="submit" className="secondary" disabled={pending}>
              Add list
            </button>
          </div>
          <FieldError id="list-name-error" messages={nameError} />
          {state.formError && (
            <p className="field-error" role="alert">
              {state.formError}
            </p>
          )}
        </div>
      </form>
    </div>
  );
}
