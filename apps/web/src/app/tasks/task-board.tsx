"use client";

import type { Task } from "@todo/client";
import { CreateTaskBodySchema, DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, UpdateTaskBodySchema } from "@todo/contract";
import Link from "next/link";
import { type FormEvent, useId, useOptimistic, useState, useTransition } from "react";
import { FieldError } from "@/components/field-error";
import { type FieldErrors, issuesToFieldErrors } from "@/lib/api-messages";
import { type ActionResult, createTask, deleteTask, loadMoreTasks, toggleTask, updateTask } from "./actions";
import { FILTERS, type Filter } from "./filters";

interface TaskBoardProps {
  filter: Filter;
  initialTasks: Task[];
  initialCursor: string | null;
}

const FILTER_LABELS: Record<Filter, string> = { all: "All", active: "Active", completed: "Completed" };

const belongs = (task: Task, filter: Filter) =>
  filter === "all" || (filter === "active" ? !task.completed : task.completed);

/** The task list of one filter: first page from the server, then "Load more" and edits kept in place. */
export function TaskBoard({ filter, initialTasks, initialCursor }: TaskBoardProps) {
  const [tasks, setTasks] = useState(initialTasks);
  const [cursor, setCursor] = useState(initialCursor);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [loading, startLoading] = useTransition();

  const replace = (task: Task) =>
    setTasks((all) =>
      belongs(task, filter) ? all.map((t) => (t.id === task.id ? task : t)) : all.filter((t) => t.id !== task.id),
    );
  const remove = (id: string) => setTasks((all) => all.filter((t) => t.id !== id));

  const loadMore = () =>
    startLoading(async () => {
      if (!cursor) return;
      const result = await loadMoreTasks(filter, cursor);
      if (!result.ok) {
        setError(result.message);
        return;
      }
      setError(null);
      setTasks((all) => [...all, ...result.value.items.filter((t) => !all.some((a) => a.id === t.id))]);
      setCursor(result.value.nextCursor);
      setStatus(`Loaded ${result.value.items.length} more tasks.`);
    });

  return (
    <div className="stack">
      <AddTaskForm
        onAdded={(task) => {
          // Oldest first: a new task goes last, so it shows now only if the end of the list is loaded.
          if (cursor === null && belongs(task, filter)) setTasks((all) => [...all, task]);
          setStatus(
            cursor === null && belongs(task, filter)
              ? `Added "${task.title}".`
              : `Added "${task.title}"; it is at the end of your list.`,
          );
        }}
      />

      <nav aria-label="Filter tasks" className="filters">
        {FILTERS.map((f) => (
          <Link
            key={f}
            href={f === "all" ? "/tasks" : `/tasks?filter=${f}`}
            aria-current={f === filter ? "page" : undefined}
          >
            {FILTER_LABELS[f]}
          </Link>
        ))}
      </nav>

      <p className="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      <Alert message={error} />

      {tasks.length === 0 ? (
        <p className="empty">
          {filter === "all"
            ? "No tasks yet. Add your first one above."
            : `No ${FILTER_LABELS[filter].toLowerCase()} tasks.`}
        </p>
      ) : (
        <ul className="tasks" aria-label={`${FILTER_LABELS[filter]} tasks`}>
          {tasks.map((task) => (
            <TaskItem
              key={task.id}
              task={task}
              onChanged={(t) => {
                replace(t);
                setStatus(`Saved "${t.title}".`);
              }}
              onDeleted={(t) => {
                remove(t.id);
                setStatus(`Deleted "${t.title}".`);
              }}
              onGone={() => remove(task.id)}
            />
          ))}
        </ul>
      )}

      {cursor && (
        <button type="button" className="secondary load-more" onClick={loadMore} disabled={loading}>
          {loading ? "Loading…" : "Load more"}
        </button>
      )}
    </div>
  );
}

function Alert({ message }: { message: string | null }) {
  return message ? (
    <p className="alert" role="alert">
      {message}
    </p>
  ) : null;
}

function readFields(form: HTMLFormElement) {
  const data = new FormData(form);
  return { title: String(data.get("title") ?? ""), description: String(data.get("description") ?? "") };
}

function AddTaskForm({ onAdded }: { onAdded: (task: Task) => void }) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const fields = readFields(form);
    // The contract's own limits, checked before anything is sent.
    const parsed = CreateTaskBodySchema.safeParse({
      title: fields.title,
      description: fields.description || undefined,
    });
    if (!parsed.success) {
      setErrors(issuesToFieldErrors(parsed.error.issues));
      setMessage(null);
      return;
    }
    startTransition(async () => {
      const result = await createTask(fields);
      if (result.ok) {
        form.reset();
        setErrors({});
        setMessage(null);
        onAdded(result.value);
        (form.elements.namedItem("title") as HTMLInputElement | null)?.focus();
      } else {
        setErrors(result.fieldErrors);
        setMessage(result.message);
      }
    });
  };

  return (
    <form className="card stack add-task" aria-label="Add a task" onSubmit={submit} noValidate>
      <TaskFields idPrefix="new" errors={errors} />
      <Alert message={message} />
      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          Add task
        </button>
      </div>
    </form>
  );
}

function TaskFields({ idPrefix, errors, task }: { idPrefix: string; errors: FieldErrors; task?: Task }) {
  const titleError = errors.title;
  const descriptionError = errors.description;
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-title`}>Title</label>
        <input
          id={`${idPrefix}-title`}
          name="title"
          type="text"
          required
          maxLength={TITLE_MAX_LENGTH}
          defaultValue={task?.title}
          autoComplete="off"
          aria-invalid={titleError ? true : undefined}
          aria-describedby={titleError ? `${idPrefix}-title-error` : undefined}
        />
        <FieldError id={`${idPrefix}-title-error`} messages={titleError} />
      </div>
      <div className="field">
        {/* "(optional)" stays outside the label: the field's accessible name is exactly "Description". */}
        <div className="label-row">
          <label htmlFor={`${idPrefix}-description`}>Description</label>
          <span className="optional">(optional)</span>
        </div>
        <textarea
          id={`${idPrefix}-description`}
          name="description"
          rows={2}
          maxLength={DESCRIPTION_MAX_LENGTH}
          defaultValue={task?.description ?? ""}
          aria-invalid={descriptionError ? true : undefined}
          aria-describedby={descriptionError ? `${idPrefix}-description-error` : undefined}
        />
        <FieldError id={`${idPrefix}-description-error`} messages={descriptionError} />
      </div>
    </>
  );
}

interface TaskItemProps {
  task: Task;
  onChanged: (task: Task) => void;
  onDeleted: (task: Task) => void;
  onGone: () => void;
}

function TaskItem({ task, onChanged, onDeleted, onGone }: TaskItemProps) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  // The box follows the click at once; if the API refuses, it returns to the stored state.
  const [completed, setCompleted] = useOptimistic(task.completed);

  const run = <T,>(action: () => Promise<ActionResult<T>>, done: (value: T) => void, optimistic?: () => void) =>
    startTransition(async () => {
      optimistic?.();
      const result = await action();
      if (result.ok) {
        setErrors({});
        setMessage(null);
        done(result.value);
      } else if (result.gone) {
        onGone();
      } else {
        setErrors(result.fieldErrors);
        setMessage(result.message);
      }
    });

  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fields = readFields(event.currentTarget);
    const parsed = UpdateTaskBodySchema.safeParse({ title: fields.title, description: fields.description || null });
    if (!parsed.success) {
      setErrors(issuesToFieldErrors(parsed.error.issues));
      return;
    }
    run(
      () => updateTask(task.id, fields),
      (updated) => {
        setEditing(false);
        onChanged(updated);
      },
    );
  };

  if (editing) {
    return (
      <li className="task editing">
        <form className="stack" aria-label={`Editing ${task.title}`} onSubmit={save} noValidate>
          <TaskFields idPrefix={`edit-${id}`} errors={errors} task={task} />
          <Alert message={message} />
          <div className="actions">
            <button type="submit" className="primary" disabled={pending}>
              Save
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setEditing(false);
                setErrors({});
                setMessage(null);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  }

  return (
    <li className={completed ? "task done" : "task"} aria-busy={pending || undefined}>
      <input
        id={`${id}-done`}
        type="checkbox"
        checked={completed}
        disabled={pending}
        onChange={() =>
          run(
            () => toggleTask(task.id),
            onChanged,
            () => setCompleted(!completed),
          )
        }
      />
      <div className="task-text">
        <label htmlFor={`${id}-done`} className="task-title">
          {task.title}
        </label>
        {task.description && <p className="task-description">{task.description}</p>}
        {message && (
          <p className="field-error" role="alert">
            {message}
          </p>
        )}
      </div>
      <div className="task-actions">
        <button type="button" className="quiet" aria-label={`Edit ${task.title}`} onClick={() => setEditing(true)}>
          Edit
        </button>
        <button
          type="button"
          className="quiet danger"
          aria-label={`Delete ${task.title}`}
          disabled={pending}
          onClick={() =>
            run(
              () => deleteTask(task.id),
              () => onDeleted(task),
            )
          }
        >
          Delete
        </button>
      </div>
    </li>
  );
}
