"use client";

import type { Task } from "@todo/client";
import {
  CreateTaskBodySchema,
  DESCRIPTION_MAX_LENGTH,
  type TaskList,
  TITLE_MAX_LENGTH,
  UpdateTaskBodySchema,
} from "@todo/contract";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, type MouseEvent, useId, useOptimistic, useRef, useState, useTransition } from "react";
import { FieldError } from "@/components/field-error";
import { type FieldErrors, issuesToFieldErrors } from "@/lib/api-messages";
import {
  type ActionResult,
  clearCompleted,
  createTask,
  deleteTask,
  loadMoreTasks,
  moveTask,
  submitTaskForm,
  type TaskInput,
  toggleTask,
  updateTask,
} from "./actions";
import { belongsTo, dueState, FILTERS, type Filter, formatDue, type View, viewHref } from "./filters";

interface TaskBoardProps {
  view: View;
  lists: TaskList[];
  initialTasks: Task[];
  initialCursor: string | null;
  /** Today's date where the person is ("YYYY-MM-DD"): what "overdue" and "due today" mean. */
  today: string;
  completedCount: number;
}

const FILTER_LABELS: Record<Filter, string> = { all: "All", active: "Active", completed: "Completed" };
const PRIORITY_LABELS = { none: "None", low: "Low", medium: "Medium", high: "High" } as const;

/** The task list of one view: first page from the server, then "Load more" and edits kept in place. */
export function TaskBoard({ view, lists, initialTasks, initialCursor, today, completedCount }: TaskBoardProps) {
  const router = useRouter();
  const [tasks, setTasks] = useState(initialTasks);
  const [cursor, setCursor] = useState(initialCursor);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [loading, startLoading] = useTransition();
  const [clearing, startClearing] = useTransition();
  const moves = useRef<Promise<void>>(Promise.resolve());
  const back = viewHref(view);
  const manual = view.sort === "manual";
  const listNames = new Map(lists.map((l) => [l.id, l.name]));

  // Counts and list badges are the server's: refreshed after every change (the list itself stays as it is).
  const changed = () => router.refresh();
  const shows = (task: Task) => belongsTo(task, view);
  const replace = (task: Task) => {
    setTasks((all) =>
      shows(task) ? all.map((t) => (t.id === task.id ? task : t)) : all.filter((t) => t.id !== task.id),
    );
    changed();
  };
  const remove = (id: string) => {
    setTasks((all) => all.filter((t) => t.id !== id));
    changed();
  };

  const loadMore = () =>
    startLoading(async () => {
      if (!cursor) return;
      const result = await loadMoreTasks(view, cursor);
      if (!result.ok) {
        setError(result.message);
        return;
      }
      setError(null);
      setTasks((all) => [...all, ...result.value.items.filter((t) => !all.some((a) => a.id === t.id))]);
      setCursor(result.value.nextCursor);
      setStatus(`Loaded ${result.value.items.length} more tasks.`);
    });

  const move = (task: Task, direction: "up" | "down", focusId: string) => {
    const index = tasks.findIndex((t) => t.id === task.id);
    if (index < 0) return;
    if (direction === "up" && index === 0) return setStatus(`"${task.title}" is already first.`);
    if (direction === "down" && index === tasks.length - 1)
      return setStatus(cursor ? "Load more tasks to move it further down." : `"${task.title}" is already last.`);
    const afterId = direction === "up" ? (tasks[index - 2]?.id ?? null) : (tasks[index + 1]?.id ?? null);
    // In place at once; back if the API refuses.
    const before = tasks;
    const next = tasks.filter((t) => t.id !== task.id);
    next.splice(direction === "up" ? index - 1 : index + 1, 0, task);
    setTasks(next);
    requestAnimationFrame(() => document.getElementById(focusId)?.focus());
    // One move at a time, in the order they were made: each was computed from the order the one before left.
    moves.current = moves.current
      .then(async () => {
        const result = await moveTask(task.id, afterId);
        if (result.ok) {
          setTasks((all) => all.map((t) => (t.id === result.value.id ? result.value : t)));
          setStatus(`Moved "${task.title}" ${direction}.`);
          setError(null);
        } else {
          setTasks(before);
          setError(result.message ?? "Could not move the task.");
          if (result.gone) remove(task.id);
        }
      })
      .catch(() => setError("Could not move the task. Please reload the page."));
  };

  const clear = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    startClearing(async () => {
      const result = await clearCompleted(view.list);
      if (!result.ok) {
        setError(result.message);
        return;
      }
      setError(null);
      setTasks((all) => all.filter((t) => !t.completed));
      setStatus(result.value === 1 ? "Cleared 1 completed task." : `Cleared ${result.value} completed tasks.`);
      changed();
    });
  };

  const emptyText = view.q
    ? `No tasks match "${view.q}".`
    : view.filter === "all"
      ? view.list
        ? "No tasks in this list yet. Add one above."
        : "No tasks yet. Add your first one above."
      : `No ${FILTER_LABELS[view.filter].toLowerCase()} tasks.`;

  return (
    <div className="stack">
      <AddTaskForm
        lists={lists}
        defaultListId={view.list && view.list !== "none" ? view.list : ""}
        back={back}
        onAdded={(task) => {
          const visible = shows(task) && !view.q;
          // New tasks go last in the manual order: shown now only if the end of that order is loaded.
          if (visible && cursor === null && manual) setTasks((all) => [...all, task]);
          setStatus(
            visible && cursor === null && manual
              ? `Added "${task.title}".`
              : `Added "${task.title}"${task.listId && task.listId !== view.list ? ` to ${listNames.get(task.listId) ?? "its list"}` : ""}.`,
          );
          if (visible && (cursor !== null || !manual)) changed();
          changed();
        }}
      />

      <div className="toolbar">
        <nav aria-label="Filter tasks" className="filters">
          {FILTERS.map((f) => (
            <Link key={f} href={viewHref(view, { filter: f })} aria-current={f === view.filter ? "page" : undefined}>
              {FILTER_LABELS[f]}
            </Link>
          ))}
        </nav>
        {completedCount > 0 && view.filter !== "active" && (
          <form action={submitTaskForm} onSubmit={clear}>
            <input type="hidden" name="intent" value="clear" />
            <input type="hidden" name="listId" value={view.list ?? ""} />
            <input type="hidden" name="back" value={back} />
            <button type="submit" className="quiet danger" disabled={clearing}>
              Clear completed
            </button>
          </form>
        )}
      </div>

      <p className="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      <Alert message={error} />

      {tasks.length === 0 ? (
        <p className="empty">{emptyText}</p>
      ) : (
        <ul className="tasks" aria-label={`${FILTER_LABELS[view.filter]} tasks`}>
          {tasks.map((task, index) => (
            <TaskItem
              key={task.id}
              task={task}
              lists={lists}
              listName={!view.list && task.listId ? (listNames.get(task.listId) ?? null) : null}
              today={today}
              back={back}
              order={
                manual
                  ? {
                      first: index === 0,
                      last: index === tasks.length - 1 && cursor === null,
                      upAfterId: tasks[index - 2]?.id ?? null,
                      downAfterId: tasks[index + 1]?.id ?? null,
                      move: (direction, focusId) => move(task, direction, focusId),
                    }
                  : null
              }
              onChanged={(t) => {
                replace(t);
                setStatus(`Saved "${t.title}".`);
              }}
              onStale={(t) => setTasks((all) => all.map((a) => (a.id === t.id ? t : a)))}
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
  const text = (name: string) => String(data.get(name) ?? "");
  return {
    title: text("title"),
    description: text("description"),
    listId: text("listId"),
    dueDate: text("dueDate"),
    priority: text("priority") || "none",
  } satisfies TaskInput;
}

function AddTaskForm(props: { lists: TaskList[]; defaultListId: string; back: string; onAdded: (task: Task) => void }) {
  const { lists, defaultListId, back, onAdded } = props;
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
      listId: fields.listId || undefined,
      dueDate: fields.dueDate || undefined,
      priority: fields.priority,
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
    <form className="card stack add-task" aria-label="Add a task" action={submitTaskForm} onSubmit={submit} noValidate>
      <input type="hidden" name="intent" value="create" />
      <input type="hidden" name="back" value={back} />
      <TaskFields idPrefix="new" errors={errors} lists={lists} defaultListId={defaultListId} />
      <Alert message={message} />
      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          Add task
        </button>
      </div>
    </form>
  );
}

interface TaskFieldsProps {
  idPrefix: string;
  errors: FieldErrors;
  lists: TaskList[];
  task?: Task;
  defaultListId?: string;
}

function TaskFields({ idPrefix, errors, lists, task, defaultListId = "" }: TaskFieldsProps) {
  const described = (name: string) => (errors[name] ? `${idPrefix}-${name}-error` : undefined);
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
          aria-invalid={errors.title ? true : undefined}
          aria-describedby={described("title")}
        />
        <FieldError id={`${idPrefix}-title-error`} messages={errors.title} />
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
          aria-invalid={errors.description ? true : undefined}
          aria-describedby={described("description")}
        />
        <FieldError id={`${idPrefix}-description-error`} messages={errors.description} />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${idPrefix}-list`}>List</label>
          <select
            id={`${idPrefix}-list`}
            name="listId"
            defaultValue={task ? (task.listId ?? "") : defaultListId}
            aria-invalid={errors.listId ? true : undefined}
            aria-describedby={described("listId")}
          >
            <option value="">No list</option>
            {lists.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
          <FieldError id={`${idPrefix}-listId-error`} messages={errors.listId} />
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-due`}>Due date</label>
          <input
            id={`${idPrefix}-due`}
            name="dueDate"
            type="date"
            defaultValue={task?.dueDate ?? ""}
            aria-invalid={errors.dueDate ? true : undefined}
            aria-describedby={described("dueDate")}
          />
          <FieldError id={`${idPrefix}-dueDate-error`} messages={errors.dueDate} />
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-priority`}>Priority</label>
          <select
            id={`${idPrefix}-priority`}
            name="priority"
            defaultValue={task?.priority ?? "none"}
            aria-invalid={errors.priority ? true : undefined}
            aria-describedby={described("priority")}
          >
            {Object.entries(PRIORITY_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <FieldError id={`${idPrefix}-priority-error`} messages={errors.priority} />
        </div>
      </div>
    </>
  );
}

interface Order {
  first: boolean;
  last: boolean;
  upAfterId: string | null;
  downAfterId: string | null;
  move: (direction: "up" | "down", focusId: string) => void;
}

interface TaskItemProps {
  task: Task;
  lists: TaskList[];
  listName: string | null;
  today: string;
  back: string;
  order: Order | null;
  onChanged: (task: Task) => void;
  onStale: (task: Task) => void;
  onDeleted: (task: Task) => void;
  onGone: () => void;
}

function TaskItem({ task, lists, listName, today, back, order, onChanged, onStale, onDeleted, onGone }: TaskItemProps) {
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
        // Changed in another tab or device: show what is stored now, keep what the person typed.
        if (result.stale) onStale(result.stale);
        setErrors(result.fieldErrors);
        setMessage(result.message);
      }
    });

  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fields = readFields(event.currentTarget);
    const parsed = UpdateTaskBodySchema.safeParse({
      title: fields.title,
      description: fields.description || null,
      listId: fields.listId || null,
      dueDate: fields.dueDate || null,
      priority: fields.priority,
    });
    if (!parsed.success) {
      setErrors(issuesToFieldErrors(parsed.error.issues));
      return;
    }
    run(
      () => updateTask(task.id, task.version, fields),
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
          {message && (
            <p className="alert" role="alert">
              {message}
            </p>
          )}
          <TaskFields idPrefix={`edit-${id}`} errors={errors} task={task} lists={lists} />
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

  const due = dueState(task, today);
  const moveButton = (direction: "up" | "down") => {
    if (!order) return null;
    const buttonId = `${id}-${direction}`;
    const blocked = direction === "up" ? order.first : order.last;
    return (
      <button
        id={buttonId}
        type="submit"
        // Before the JavaScript loads, the button posts where the task goes; at either end there is nowhere to go.
        name={blocked ? undefined : "afterId"}
        value={blocked ? undefined : ((direction === "up" ? order.upAfterId : order.downAfterId) ?? "")}
        className="icon-button"
        aria-label={`Move ${task.title} ${direction}`}
        aria-disabled={blocked || undefined}
        onClick={(event: MouseEvent<HTMLButtonElement>) => {
          event.preventDefault();
          if (!blocked) order.move(direction, buttonId);
        }}
      >
        <span aria-hidden="true">{direction === "up" ? "↑" : "↓"}</span>
      </button>
    );
  };

  return (
    <li className={completed ? "task done" : "task"} aria-busy={pending || undefined}>
      <input
        id={`${id}-done`}
        type="checkbox"
        checked={completed}
        disabled={pending}
        onChange={() =>
          run(
            () => toggleTask(task.id, task.version),
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
        {(listName || task.dueDate || task.priority !== "none") && (
          <p className="task-meta">
            {due === "overdue" && <span className="tag overdue">Overdue</span>}
            {task.dueDate && (
              <span className={due === "today" ? "tag today" : "tag"}>
                {due === "today" ? "Due today" : `Due ${formatDue(task.dueDate, today)}`}
              </span>
            )}
            {task.priority !== "none" && (
              <span className={`tag priority-${task.priority}`}>{PRIORITY_LABELS[task.priority]} priority</span>
            )}
            {listName && <span className="tag list-tag">{listName}</span>}
          </p>
        )}
        {message && (
          <p className="field-error" role="alert">
            {message}
          </p>
        )}
      </div>
      <div className="task-actions">
        {order && (
          <form action={submitTaskForm} className="move">
            <input type="hidden" name="intent" value="move" />
            <input type="hidden" name="id" value={task.id} />
            <input type="hidden" name="back" value={back} />
            {moveButton("up")}
            {moveButton("down")}
          </form>
        )}
        <button type="button" className="quiet" aria-label={`Edit ${task.title}`} onClick={() => setEditing(true)}>
          Edit
        </button>
        <form
          action={submitTaskForm}
          onSubmit={(event) => {
            event.preventDefault();
            run(
              () => deleteTask(task.id, task.version),
              () => onDeleted(task),
            );
          }}
        >
          <input type="hidden" name="intent" value="delete" />
          <input type="hidden" name="id" value={task.id} />
          <input type="hidden" name="version" value={task.version} />
          <input type="hidden" name="back" value={back} />
          <button type="submit" className="quiet danger" aria-label={`Delete ${task.title}`} disabled={pending}>
            Delete
          </button>
        </form>
      </div>
    </li>
  );
}
