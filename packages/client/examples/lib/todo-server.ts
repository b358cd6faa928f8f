// lib/todo-server.ts — server only: session tokens in httpOnly cookies, renewed once per process
import "server-only";
import type { TokenStore } from "@todo/client";
import { createServerRenewal, createServerTodoClient } from "@todo/client/server";
import { cookies } from "next/headers";

type CookieJar = Awaited<ReturnType<typeof cookies>>;
// __Host-: the browser requires Secure, Path=/ and no Domain, so a sibling subdomain cannot plant its own
// sign-in. Browsers treat http://localhost as secure, so these work in development too.
const ACCESS = "__Host-todo_access";
const REFRESH = "__Host-todo_refresh";
const options = { httpOnly: true, secure: true, sameSite: "lax", path: "/" } as const;

// One per process, shared by every request: requests that arrive together with the same expired cookies make
// one refresh call, and one that still carries the old cookies just after gets the same new pair. Give it the
// API's REFRESH_REUSE_GRACE_SECONDS (or less): it never remembers a rotation longer than the API honours it.
const renewal = createServerRenewal({
  baseUrl: process.env.TODO_API_URL ?? "http://localhost:3000",
  reuseGraceSeconds: 10,
});

export function cookieTokenStore(jar: CookieJar): TokenStore {
  return {
    get: () => {
      const accessToken = jar.get(ACCESS)?.value;
      const refreshToken = jar.get(REFRESH)?.value;
      return accessToken ? { accessToken, refreshToken } : null;
    },
    // Only Server Actions and Route Handlers may write cookies: the clients they create call this.
    set: ({ accessToken, refreshToken }) => {
      jar.set(ACCESS, accessToken, options);
      jar.set(REFRESH, refreshToken, options);
    },
    clear: () => {
      jar.set(ACCESS, "", { ...options, maxAge: 0 });
      jar.set(REFRESH, "", { ...options, maxAge: 0 });
    },
  };
}

/** For Server Actions and Route Handlers: they may write cookies, so the client signs in and renews. */
export async function todoForAction() {
  return createServerTodoClient({ renewal, tokenStore: cookieTokenStore(await cookies()) });
}

/**
 * For Server Components. They cannot write cookies, so they never renew (autoRefresh: false): a refresh token
 * is single use, and a renewed pair that could not be saved would end the sign-in at its next use.
 */
export async function todoForServerComponent() {
  const tokenStore = cookieTokenStore(await cookies());
  return createServerTodoClient({ renewal, tokenStore, autoRefresh: false });
}
