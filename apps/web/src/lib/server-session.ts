import "server-only";
import { createTodoClient, memoryTokenStore, type TodoApi } from "@todo/client";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { webEnv } from "@/env";
import { requestClientAddress } from "./client-address";
import { renewSignIn } from "./renewal";
import {
  ACCESS_COOKIE,
  clearSession,
  isSecureContext,
  REFRESH_COOKIE,
  type SessionTokens,
  writeSession,
} from "./session-cookies";
import { readAccessClaims } from "./token-claims";

export interface SignedIn extends SessionTokens {
  userId: string;
  email: string | null;
}

/** The sign-in the request's cookies hold, or null. Reading cookies makes the page dynamic (per request). */
export async function readSession(): Promise<SignedIn | null> {
  const jar = await cookies();
  const accessToken = jar.get(ACCESS_COOKIE)?.value;
  const refreshToken = jar.get(REFRESH_COOKIE)?.value;
  if (!accessToken || !refreshToken) return null;
  const claims = readAccessClaims(accessToken);
  if (!claims) return null;
  return { accessToken, refreshToken, userId: claims.sub, email: claims.email };
}

/**
 * A typed client that sends this access token and never renews by itself: renewal happens in one place per
 * process (renewal.ts), with the cookie update, so that a refresh token is never spent twice.
 */
export function apiWith(accessToken: string | null): TodoApi {
  return createTodoClient({
    baseUrl: webEnv().TODO_API_URL,
    tokenStore: memoryTokenStore(accessToken ? { accessToken, refreshToken: "" } : null),
    autoRefresh: false,
  }).api;
}

/** The end user's address for the API's per-address limits (null: not known reliably; nothing forwarded). */
export async function clientAddress(): Promise<string | null> {
  return requestClientAddress(await headers(), webEnv().WEB_TRUST_PROXY_HOPS);
}

export async function secureCookies(): Promise<boolean> {
  const h = await headers();
  return isSecureContext(h.get("host"), h.get("x-forwarded-proto"));
}

/** Server Actions and Route Handlers only: they may write cookies. */
export async function saveSession(tokens: SessionTokens): Promise<void> {
  writeSession(await cookies(), tokens, await secureCookies());
}

export async function dropSession(): Promise<void> {
  clearSession(await cookies(), await secureCookies());
}

export const SIGN_IN_ENDED = "/sign-in?ended=1";

/** Server Components: the sign-in, or straight to the sign-in page. */
export async function requireSession(): Promise<SignedIn> {
  const session = await readSession();
  if (!session) redirect("/sign-in");
  return session;
}

/**
 * Server Actions: runs `call` with the signed-in user's token. On a 401 the sign-in is renewed once (shared with
 * any concurrent renewal), the cookies are updated and the call is repeated; a sign-in that ended clears the
 * cookies and goes to the sign-in page.
 */
export async function withSession<R extends { status: number }>(
  call: (api: TodoApi, userId: string) => Promise<R>,
): Promise<R> {
  const session = await readSession();
  if (!session) redirect(SIGN_IN_ENDED);
  const first = await call(apiWith(session.accessToken), session.userId);
  if (first.status !== 401) return first;

  const outcome = await renewSignIn(session.refreshToken, await clientAddress());
  if (outcome.kind === "unavailable") return first;
  if (outcome.kind === "ended") {
    await dropSession();
    redirect(SIGN_IN_ENDED);
  }
  await saveSession(outcome.tokens);
  const second = await call(apiWith(outcome.tokens.accessToken), session.userId);
  if (second.status === 401) {
    await dropSession();
    redirect(SIGN_IN_ENDED);
  }
  return second;
}
