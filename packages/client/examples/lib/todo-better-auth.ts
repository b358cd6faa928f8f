// lib/todo-better-auth.ts — in the browser, with tokens from Better Auth's JWT plugin
import { createTodoClient } from "@todo/client";
import { jwtClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";

export const authClient = createAuthClient({ plugins: [jwtClient()] });

// Better Auth issues and renews the tokens: the client never calls /auth/refresh. On a 401 it asks once more
// for a token and retries once with it.
export const todo = createTodoClient({
  baseUrl: process.env.NEXT_PUBLIC_TODO_API_URL ?? "http://localhost:3000",
  getAccessToken: async () => (await authClient.token()).data?.token ?? null,
});
