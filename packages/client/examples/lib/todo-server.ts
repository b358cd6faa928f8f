// lib/todo-server.ts — server only: tokens in httpOnly cookies
import "server-only";
import { createTodoClient, type TokenStore } from "@todo/client";
import { cookies } from "next/headers";

type CookieJar = Awaited<ReturnType<typeof cookies>>;
const options = { httpOnly: true, secure: true, sameSite: "lax", path: "/" } as const;

export function cookieTokenStore(jar: CookieJar): TokenStore {
  return {
    get: () => {
      const accessToken = jar.get("todo_access")?.value;
      const refreshToken = jar.get("todo_refresh")?.value;
      return accessToken ? { accessToken, refreshToken } : null;
    },
    // Only Server Actions and Route Handlers may write cookies: the clients they create call this.
    set: ({ accessToken, refreshToken }) => {
      jar.set("todo_access", accessToken, options);
      jar.set("todo_refresh", refreshToken, options);
    },
    clear: () => {
      jar.delete("todo_access");
      jar.delete("todo_refresh");
    },
  };
}

/** For Server Actions and Route Handlers: they may write cookies, so the client signs in and renews. */
export async function todoForAction() {
  return createTodoClient({ baseUrl: process.env.TODO_API_URL!, tokenStore: cookieTokenStore(await cookies()) });
}

/**
 * For Server Components. They cannot write cookies, so they never renew (autoRefresh: false): a refresh token
 * is single use, and a renewed pair that could not be saved would end the sign-in at its next use.
 */
export async function todoForServerComponent() {
  const tokenStore = cookieTokenStore(await cookies());
  return createTodoClient({ baseUrl: process.env.TODO_API_URL!, tokenStore, autoRefresh: false });
}
