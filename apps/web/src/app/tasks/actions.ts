"use server";

import type { Task, TaskPage } from "@todo/client";
import { CreateTaskBodySchema, ListBodySchema, type TaskList, UpdateTaskBodySchema } from "@todo/contract";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { asForm, asRecord } from "@/lib/action-input";
import {
  type FieldErrors,
  fieldErrorsFrom,
  issuesToFieldErrors,
  messageForStatus,
  UNREACHABLE_MESSAGE,
} from "@/lib/api-messages";
import { safeNextPath } from "@/lib/safe-next-path";
import { withSession } from "@/lib/server-session";
import { listQuery, PAGE_SIZE, parseView } from "./filters";

export type ActionResult<T> =
  | { ok: true; value: T }
  | { ok: false; message: string | null; fieldErrors: FieldErrors; gone?: boolean; stale?: Task };

// Arguments of Server Actions come from the browser: checked like any other input.
const TaskIdSchema = z.string().min(1).max(64);
const CursorSchema = z.string().min(1).max(512);
const VersionSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const invalid = (fieldErrors: FieldErrors): ActionResult<never> => ({ ok: false, message: null, fieldErrors });
const failure = (message: string, gone = false): ActionResult<never> => ({ ok: false, message, fieldErrors: {}, gone });

const CHANGED_ELSEWHERE =
  "This task was changed elsewhere (another tab or device). Its latest version is shown; check it and save again.";

/** Runs an API call for the signed-in user; an unreachable API becomes a message, not an exception. */
async function attempt<R extends { status: number }, T>(
  call: Parameters<typeof withSession<R>>[0],
  handle: (res: R) => ActionResult<T> | Promise<ActionResult<T>>,
): Promise<ActionResult<T>> {
  let res: R;
  try {
    res = await withSession(call);
  } catch (err) {
    if (err instanceof TypeError) return failure(UNREACHABLE_MESSAGE); // fetch failed: the API is unreachable
    throw err; // redirect() and the like
  }
  return handle(res);
}

const detailsOf = (body: unknown) =>
  (body as { error?: { details?: { field: string; message: string }[] } } | null)?.error?.details ?? [];

function otherStatus(res: { status: number; headers: Headers; body: unknown }): ActionResult<never> {
  if (res.status === 404) return failure("This task no longer exists.", true);
  if (res.status === 422) return invalid(fieldErrorsFrom(detailsOf(res.body)));
  if (res.status === 409) return failure("You have reached the maximum number of tasks.");
  return failure(messageForStatus(res.status, res.headers));
}

/** A 412: someone else changed the task since this page showed it. Answers with the task as it is now. */
async function changedElsewhere(id: string): Promise<ActionResult<never>> {
  const now = await attempt(
    (api, userId) => api.tasks.get({ params: { userId, id }, fetchOptions: { cache: "no-store" } }),
    (res): ActionResult<Task> => (res.status === 200 ? { ok: true, value: res.body } : otherStatus(res)),
  );
  if (!now.ok) return now;
  return { ok: false, message: CHANGED_ELSEWHERE, fieldErrors: {}, stale: now.value };
}

/** If-Match with the version the page showed (the API answers 412 if the task changed since). */
const ifMatch = (version: z.SafeParseReturnType<unknown, number>) => (version.success ? { ifMatch: version.data } : {});

const emptyToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);
const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export interface TaskInput {
  title: unknown;
  description: unknown;
  listId?: unknown;
  dueDate?: unknown;
  priority?: unknown;
}

export async function createTask(raw: TaskInput): Promise<ActionResult<Task>> {
  const input = asRecord(raw);
  const parsed = CreateTaskBodySchema.safeParse({
    title: input.title,
    description: emptyToUndefined(input.description),
    listId: emptyToUndefined(input.listId),
    dueDate: emptyToUndefined(input.dueDate),
    priority: emptyToUndefined(input.priority),
  });
  if (!parsed.success) return invalid(issuesToFieldErrors(parsed.error.issues));
  return attempt(
    (api, userId) => api.tasks.create({ params: { userId }, body: parsed.data }),
    (res) => (res.status === 201 ? { ok: true, value: res.body } : otherStatus(res)),
  );
}

export async function updateTask(id: unknown, version: unknown, raw: TaskInput): Promise<ActionResult<Task>> {
  const input = asRecord(raw);
  const taskId = TaskIdSchema.safeParse(id);
  if (!taskId.success) return failure("This task no longer exists.", true);
  const shown = VersionSchema.safeParse(version);
  const parsed = UpdateTaskBodySchema.safeParse({
    title: input.title,
    description: emptyToNull(input.description),
    listId: emptyToNull(input.listId),
    dueDate: emptyToNull(input.dueDate),
    priority: emptyToUndefined(input.priority),
  });
  if (!parsed.success) return invalid(issuesToFieldErrors(parsed.error.issues));
  return attempt(
    (api, userId) =>
      api.tasks.update({
        params: { userId, id: taskId.data },
        body: parsed.data,
        ...ifMatch(shown),
      }),
    (res) =>
      res.status === 200
        ? { ok: true, value: res.body }
        : res.status === 412
          ? changedElsewhere(taskId.data)
          : otherStatus(res),
  );
}

export async function toggleTask(id: unknown, version: unknown): Promise<ActionResult<Task>> {
  const taskId = TaskIdSchema.safeParse(id);
  if (!taskId.success) return failure("This task no longer exists.", true);
  const shown = VersionSchema.safeParse(version);
  return attempt(
    (api, userId) =>
      api.tasks.toggleComplete({
        params: { userId, id: taskId.data },
        ...ifMatch(shown),
      }),
    (res) =>
      res.status === 200
        ? { ok: true, value: res.body }
        : res.status === 412
          ? changedElsewhere(taskId.data)
          : otherStatus(res),
  );
}

export async function deleteTask(id: unknown, version: unknown): Promise<ActionResult<null>> {
  const taskId = TaskIdSchema.safeParse(id);
  if (!taskId.success) return failure("This task no longer exists.", true);
  const shown = VersionSchema.safeParse(version);
  return attempt(
    (api, userId) =>
      api.tasks.delete({
        params: { userId, id: taskId.data },
        ...ifMatch(shown),
      }),
    // Already gone is what the person wanted.
    (res) =>
      res.status === 204 || res.status === 404
        ? { ok: true, value: null }
        : res.status === 412
          ? changedElsewhere(taskId.data)
          : otherStatus(res),
  );
}

const AfterIdSchema = TaskIdSchema.nullable();

/** Manual order: puts the task right after `afterId` (null: first). */
export async function moveTask(id: unknown, afterId: unknown): Promise<ActionResult<Task>> {
  const taskId = TaskIdSchema.safeParse(id);
  const after = AfterIdSchema.safeParse(afterId ?? null);
  if (!taskId.success || !after.success) return failure("This task no longer exists.", true);
  return attempt(
    (api, userId) => api.tasks.move({ params: { userId, id: taskId.data }, body: { afterId: after.data } }),
    (res) => (res.status === 200 ? { ok: true, value: res.body } : otherStatus(res)),
  );
}

const ListIdSchema = z.string().min(1).max(64);

/** "Clear completed": the completed tasks of one list, or of every list. */
export async function clearCompleted(listId: unknown): Promise<ActionResult<number>> {
  const list = listId === null || listId === undefined || listId === "" ? null : ListIdSchema.safeParse(listId);
  if (list && !list.success) return failure("This list no longer exists.", true);
  return attempt(
    (api, userId) =>
      api.tasks.clearCompleted({
        params: { userId },
        query: { completed: "true", ...(list?.success && list.data !== "none" ? { listId: list.data } : {}) },
      }),
    (res) => (res.status === 200 ? { ok: true, value: res.body.deleted } : otherStatus(res)),
  );
}

export async function loadMoreTasks(view: unknown, cursor: unknown): Promise<ActionResult<TaskPage>> {
  const after = CursorSchema.safeParse(cursor);
  if (!after.success) return failure("Could not load more tasks. Please reload the page.");
  const parsed = parseView(typeof view === "object" ? (view as Record<string, unknown>) : null);
  return attempt(
    (api, userId) =>
      api.tasks.list({
        params: { userId },
        query: { ...listQuery(parsed), limit: PAGE_SIZE, cursor: after.data },
      }),
    (res) => (res.status === 200 ? { ok: true, value: res.body } : otherStatus(res)),
  );
}

// ---- Lists ---------------------------------------------------------------------------------------------------

export interface ListFormState {
  name: string;
  fieldErrors: FieldErrors;
  formError: string | null;
}

/** "Add list" (a form post: works before the page's JavaScript has loaded); goes to the new list. */
export async function createList(_previous: ListFormState, input: FormData): Promise<ListFormState> {
  const raw = asForm(input).get("name");
  const name = typeof raw === "string" ? raw : "";
  const parsed = ListBodySchema.safeParse({ name });
  if (!parsed.success) return { name, fieldErrors: issuesToFieldErrors(parsed.error.issues), formError: null };
  let created: TaskList | null = null;
  const result = await attempt(
    (api, userId) => api.lists.create({ params: { userId }, body: parsed.data }),
    (res): ActionResult<TaskList> => {
      if (res.status === 201) return { ok: true, value: res.body };
      if (res.status === 409) {
        const code = (res.body as { error?: { code?: string } }).error?.code;
        return invalid({
          name: [
            code === "QUOTA_EXCEEDED"
              ? "You have reached the maximum number of lists."
              : "You already have a list with this name.",
          ],
        });
      }
      return otherStatus(res);
    },
  );
  if (!result.ok) return { name, fieldErrors: result.fieldErrors, formError: result.message };
  created = result.value;
  revalidatePath("/tasks");
  redirect(`/tasks?list=${encodeURIComponent(created.id)}`);
}

/** "Delete list": the list and its tasks, in one step on the API. */
export async function deleteList(input: FormData): Promise<void> {
  const id = ListIdSchema.safeParse(asForm(input).get("listId"));
  if (id.success) {
    await attempt(
      (api, userId) => api.lists.delete({ params: { userId, listId: id.data } }),
      (): ActionResult<null> => ({ ok: true, value: null }),
    );
  }
  revalidatePath("/tasks");
  redirect("/tasks");
}

// ---- Plain form posts ----------------------------------------------------------------------------------------

/**
 * The task page's forms before its JavaScript has loaded: each posts here with an `intent`, and the page is shown
 * again. Once the page is interactive, the same forms call the functions above and update in place.
 */
export async function submitTaskForm(input: FormData): Promise<void> {
  const form = asForm(input);
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const back = safeNextPath(field("back"));
  const version = Number(field("version"));
  switch (field("intent")) {
    case "create":
      await createTask({
        title: field("title"),
        description: field("description"),
        listId: field("listId"),
        dueDate: field("dueDate"),
        priority: field("priority"),
      });
      break;
    case "move":
      if (!form.has("afterId")) break;
      await moveTask(field("id"), field("afterId") || null);
      break;
    case "delete":
      await deleteTask(field("id"), version);
      break;
    case "clear":
      await clearCompleted(field("listId") ?? null);
      break;
    default:
      break;
  }
  revalidatePath("/tasks");
  redirect(back.startsWith("/tasks") ? back : "/tasks");
}
