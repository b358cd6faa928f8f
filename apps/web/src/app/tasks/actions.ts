"use server";

import type { Task, TaskPage } from "@todo/client";
import { CreateTaskBodySchema, ListTasksQuerySchema, TaskSchema, UpdateTaskBodySchema } from "@todo/contract";
import { z } from "zod";
import { blankToNull, fieldsOf, parseInput } from "@/lib/action-input";
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

// Arguments of Server Actions come from anyone who can POST: every one is parsed with the contract's schemas
// (see lib/action-input.ts). The task forms send strings; an empty description means none.
const TaskIdSchema = TaskSchema.shape.id;
const CursorSchema = ListTasksQuerySchema.shape.cursor.unwrap();
const CreateTaskInput = z.preprocess((input) => {
  const fields = fieldsOf(input);
  return fields && { title: fields.title, description: blankToNull(fields.description) ?? undefined };
}, CreateTaskBodySchema);
const UpdateTaskInput = z.preprocess((input) => {
  const fields = fieldsOf(input);
  return fields && { title: fields.title, description: blankToNull(fields.description) };
}, UpdateTaskBodySchema);

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

export async function createTask(input: unknown): Promise<ActionResult<Task>> {
  const parsed = parseInput(CreateTaskInput, input);
  if (!parsed.ok) return invalid(issuesToFieldErrors(parsed.issues));
  return attempt(
    (api, userId) => api.tasks.create({ params: { userId }, body: parsed.data }),
    (res) => (res.status === 201 ? { ok: true, value: res.body } : otherStatus(res)),
  );
}

export async function updateTask(id: unknown, input: unknown): Promise<ActionResult<Task>> {
  const taskId = parseInput(TaskIdSchema, id);
  if (!taskId.ok) return failure("This task no longer exists.", true);
  const parsed = parseInput(UpdateTaskInput, input);
  if (!parsed.ok) return invalid(issuesToFieldErrors(parsed.issues));
  return attempt(
    (api, userId) => api.tasks.update({ params: { userId, id: taskId.data }, body: parsed.data }),
    (res) => (res.status === 200 ? { ok: true, value: res.body } : otherStatus(res)),
  );
}

export async function toggleTask(id: unknown): Promise<ActionResult<Task>> {
  const taskId = parseInput(TaskIdSchema, id);
  if (!taskId.ok) return failure("This task no longer exists.", true);
  return attempt(
    (api, userId) => api.tasks.toggleComplete({ params: { userId, id: taskId.data } }),
    (res) => (res.status === 200 ? { ok: true, value: res.body } : otherStatus(res)),
  );
}

export async function deleteTask(id: unknown): Promise<ActionResult<null>> {
  const taskId = parseInput(TaskIdSchema, id);
  if (!taskId.ok) return failure("This task no longer exists.", true);
  return attempt(
    (api, userId) => api.tasks.delete({ params: { userId, id: taskId.data } }),
    // Already gone is what the person wanted.
    (res) => (res.status === 204 || res.status === 404 ? { ok: true, value: null } : otherStatus(res)),
  );
}

export async function loadMoreTasks(filter: unknown, cursor: unknown): Promise<ActionResult<TaskPage>> {
  const after = parseInput(CursorSchema, cursor);
  if (!after.ok) return failure("Could not load more tasks. Please reload the page.");
  return attempt(
    (api, userId) =>
      api.tasks.list({
        params: { userId },
        query: { ...completedQuery(parseFilter(filter)), limit: PAGE_SIZE, cursor: after.data },
      }),
    (res) => (res.status === 200 ? { ok: true, value: res.body } : otherStatus(res)),
  );
}
