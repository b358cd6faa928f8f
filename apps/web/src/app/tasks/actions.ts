"use server";

import type { Task, TaskPage } from "@todo/client";
import { CreateTaskBodySchema, UpdateTaskBodySchema } from "@todo/contract";
import { z } from "zod";
import {
  type FieldErrors,
  fieldErrorsFrom,
  issuesToFieldErrors,
  messageForStatus,
  UNREACHABLE_MESSAGE,
} from "@/lib/api-messages";
import { withSession } from "@/lib/server-session";
import { completedQuery, PAGE_SIZE, parseFilter } from "./filters";

export type ActionResult<T> =
  | { ok: true; value: T }
  | { ok: false; message: string | null; fieldErrors: FieldErrors; gone?: boolean };

// Arguments of Server Actions come from the browser: checked like any other input.
const TaskIdSchema = z.string().min(1).max(64);
const CursorSchema = z.string().min(1).max(512);

const invalid = (fieldErrors: FieldErrors): ActionResult<never> => ({ ok: false, message: null, fieldErrors });
const failure = (message: string, gone = false): ActionResult<never> => ({ ok: false, message, fieldErrors: {}, gone });

/** Runs an API call for the signed-in user; an unreachable API becomes a message, not an exception. */
async function attempt<R extends { status: number }, T>(
  call: Parameters<typeof withSession<R>>[0],
  handle: (res: R) => ActionResult<T>,
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

function otherStatus(res: { status: number; headers: Headers; body: unknown }): ActionResult<never> {
  if (res.status === 404) return failure("This task no longer exists.", true);
  if (res.status === 422) {
    const details = (res.body as { error?: { details?: { field: string; message: string }[] } }).error?.details ?? [];
    return invalid(fieldErrorsFrom(details));
  }
  return failure(messageForStatus(res.status, res.headers));
}

const emptyToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);

export async function createTask(input: { title: unknown; description: unknown }): Promise<ActionResult<Task>> {
  const body = { title: input.title, description: emptyToNull(input.description) ?? undefined };
  const parsed = CreateTaskBodySchema.safeParse(body);
  if (!parsed.success) return invalid(issuesToFieldErrors(parsed.error.issues));
  return attempt(
    (api, userId) => api.tasks.create({ params: { userId }, body: parsed.data }),
    (res) => (res.status === 201 ? { ok: true, value: res.body } : otherStatus(res)),
  );
}

export async function updateTask(
  id: unknown,
  input: { title: unknown; description: unknown },
): Promise<ActionResult<Task>> {
  const taskId = TaskIdSchema.safeParse(id);
  if (!taskId.success) return failure("This task no longer exists.", true);
  const parsed = UpdateTaskBodySchema.safeParse({ title: input.title, description: emptyToNull(input.description) });
  if (!parsed.success) return invalid(issuesToFieldErrors(parsed.error.issues));
  return attempt(
    (api, userId) => api.tasks.update({ params: { userId, id: taskId.data }, body: parsed.data }),
    (res) => (res.status === 200 ? { ok: true, value: res.body } : otherStatus(res)),
  );
}

export async function toggleTask(id: unknown): Promise<ActionResult<Task>> {
  const taskId = TaskIdSchema.safeParse(id);
  if (!taskId.success) return failure("This task no longer exists.", true);
  return attempt(
    (api, userId) => api.tasks.toggleComplete({ params: { userId, id: taskId.data } }),
    (res) => (res.status === 200 ? { ok: true, value: res.body } : otherStatus(res)),
  );
}

export async function deleteTask(id: unknown): Promise<ActionResult<null>> {
  const taskId = TaskIdSchema.safeParse(id);
  if (!taskId.success) return failure("This task no longer exists.", true);
  return attempt(
    (api, userId) => api.tasks.delete({ params: { userId, id: taskId.data } }),
    // Already gone is what the person wanted.
    (res) => (res.status === 204 || res.status === 404 ? { ok: true, value: null } : otherStatus(res)),
  );
}

export async function loadMoreTasks(filter: unknown, cursor: unknown): Promise<ActionResult<TaskPage>> {
  const after = CursorSchema.safeParse(cursor);
  if (!after.success) return failure("Could not load more tasks. Please reload the page.");
  return attempt(
    (api, userId) =>
      api.tasks.list({
        params: { userId },
        query: { ...completedQuery(parseFilter(filter)), limit: PAGE_SIZE, cursor: after.data },
      }),
    (res) => (res.status === 200 ? { ok: true, value: res.body } : otherStatus(res)),
  );
}
