// errors.ts — responses are values: switch on the status and TypeScript narrows the body
import type { Task, TodoClient } from "@todo/client";

export async function addTask(todo: TodoClient, userId: string, title: string): Promise<Task | null> {
  const res = await todo.api.tasks.create({ params: { userId }, body: { title } });
  switch (res.status) {
    case 201:
      return res.body; // Task
    case 422: // VALIDATION_FAILED: one entry per problem
      for (const d of res.body.error.details) console.warn(`${d.location}.${d.field}: ${d.message}`);
      return null;
    case 401: // signed out (onSignedOut has run if a refresh was refused)
    case 403: // the path's user is not the signed-in user
      return null;
    default:
      // Every declared error has the body { error: { code, message, details } }. A status the contract does not
      // declare (say a proxy's 502) arrives here too, with `body: unknown`: it is not thrown.
      console.error(res.status, res.body);
      return null;
  }
}
