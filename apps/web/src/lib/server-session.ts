import "server-only";
import { accessTokenStore, createTodoClient, type TodoApi } from "@todo/client";
import { readAccessToken } from "@todo/client/server";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { webEnv } from "@/env";
import { requestClientAddress } from "./client-address";
import { renewSession } from "./renewal";
import { clearSessionCookies, readSessionCookies, type SessionTokens, writeSessionCookies } from "./session-cookies";

/** The signed-in person as this request's session tokens say (unverified: the API checks every call). */
export interface SignedIn extends SessionTokens {
  userId: string;
  email: string | null;
}

/** The session the request's cookies hold, or null. Reading cookies makes the page dynamic (per request). */
export async function readSession(): Promise<SignedIn | null> {
  const tokens = readSessionCookies(await cookies());
  const subject = tokens && readAccessToken(tokens.accessToken);
  if (!tokens || !subject) return null;
  return { ...tokens, userId: subject.userId, email: subject.email };
}

/**
 * A typed client that sends this access token and never renews by itself: renewal happens in one place per
 * process (@todo/client/server, through lib/renewal.ts), with the cookie update, so that a refresh token is
 * never spent twice.
 */
export function apiWith(accessToken: string | null): TodoApi {
  return createTodoClient({ baseUrl: webEnv().TODO_API_URL, tokenStore: accessTokenStore(accessToken) }).api;
}

/** The end user's address for the API's per-address limits (null: not known reliably; nothing forwarded). */
export async function clientAddress(): Promise<string | null> {
  return requestClientAddress(await headers(), webEnv().WEB_TRUST_PROXY_HOPS);
}

/** Server Actions and Route Handlers only: they may write cookies. */
export async function saveSession(tokens: SessionTokens): Promise<void> {
  writeSessionCookies(await cookies(), tokens);
}

export async function dropSession(): Promise<void> {
  clearSessionCookies(await cookies());
}

export const SIGN_IN_ENDED = "/sign-in?ended=1";

/** Server Components: the session, or straight to the sign-in page. */
export async function requireSession(): Promise<SignedIn> {
  const session = await readSession();
  if (!session) redirect("/sign-in");
  return session;
}

/**
 * Server Actions: runs `call` with the signed-in user's token. On a 401 the session is renewed once (shared with
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

  const outcome = await renewSession(session.refreshToken, await clientAddress());
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
