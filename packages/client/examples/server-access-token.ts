// server-access-token.ts — server code that holds only an access token (from a header, a session) and must not renew it
import { accessTokenStore, createTodoClient } from "@todo/client";

export async function countOpenTasks(accessToken: string): Promise<number | null> {
  const todo = createTodoClient({ baseUrl: process.env.TODO_API_URL!, tokenStore: accessTokenStore(accessToken) });
  const userId = await todo.currentUserId();
  if (!userId) return null;
  const res = await todo.api.tasks.list({ params: { userId }, query: { completed: "false", limit: 100 } });
  return res.status === 200 ? res.body.items.length : null; // a 401 is returned as it is: nothing is renewed
}
