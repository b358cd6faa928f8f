/** Names and attributes of the two cookies that hold a sign-in. Used by the proxy, route handlers and actions. */
export const ACCESS_COOKIE = "todo_access";
export const REFRESH_COOKIE = "todo_refresh";

/** As long as the API's refresh tokens live by default; the API decides when the sign-in really ends. */
const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
}

export interface CookieAttributes {
  httpOnly: true;
  sameSite: "lax";
  secure: boolean;
  path: "/";
  maxAge: number;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * `Secure` everywhere except plain-HTTP local development (http://localhost, http://127.0.0.1), where browsers
 * would otherwise drop or refuse the cookies on some set-ups. Behind a TLS-terminating proxy the forwarded
 * protocol says https and the cookies are Secure.
 */
export function isSecureContext(host: string | null, forwardedProto: string | null, protocol?: string): boolean {
  const proto = (forwardedProto?.split(",")[0]?.trim() ?? protocol?.replace(/:$/, "") ?? "http").toLowerCase();
  if (proto === "https") return true;
  const hostname = (host ?? "").replace(/:\d+$/, "");
  return !LOOPBACK.test(hostname);
}

export function sessionCookieAttributes(secure: boolean): CookieAttributes {
  return { httpOnly: true, sameSite: "lax", secure, path: "/", maxAge: SESSION_MAX_AGE_SECONDS };
}

/** Anything that can set and delete cookies: Next's `cookies()` jar and `NextResponse.cookies` both fit. */
export interface CookieWriter {
  set(name: string, value: string, attributes: CookieAttributes): unknown;
}

export function writeSession(jar: CookieWriter, tokens: SessionTokens, secure: boolean): void {
  const attributes = sessionCookieAttributes(secure);
  jar.set(ACCESS_COOKIE, tokens.accessToken, attributes);
  jar.set(REFRESH_COOKIE, tokens.refreshToken, attributes);
}

export function clearSession(jar: CookieWriter, secure: boolean): void {
  const attributes = { ...sessionCookieAttributes(secure), maxAge: 0 };
  jar.set(ACCESS_COOKIE, "", attributes);
  jar.set(REFRESH_COOKIE, "", attributes);
}
