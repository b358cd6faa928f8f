/**
 * The session cookies: the two httpOnly cookies that hold a person's session tokens (the API's access and
 * refresh tokens) in the browser. Vocabulary: "session tokens" is the pair, "session cookies" the cookies that
 * carry it, and "sign-in" the API's record they belong to (which the API revokes and renews).
 *
 * The names carry the `__Host-` prefix: the browser accepts them only with `Secure`, `Path=/` and no `Domain`,
 * so a sibling subdomain cannot plant or overwrite them (it could otherwise sign the person into its own
 * account). Chromium, Firefox and Safari treat http://localhost and http://127.0.0.1 as secure contexts, so the
 * same cookies work in local development; any other host must be served over HTTPS.
 */
export const ACCESS_COOKIE = "__Host-todo_access";
export const REFRESH_COOKIE = "__Host-todo_refresh";

/** As long as the API's refresh tokens live by default; the API decides when the sign-in really ends. */
const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
}

export interface CookieAttributes {
  httpOnly: true;
  sameSite: "lax";
  secure: true;
  path: "/";
  maxAge: number;
}

/** What every `__Host-` cookie of the app is written with (the prefix requires Secure and Path=/). */
export function hostCookieAttributes(maxAge: number): CookieAttributes {
  return { httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge };
}

export const sessionCookieAttributes = (): CookieAttributes => hostCookieAttributes(SESSION_MAX_AGE_SECONDS);

/** Anything that can set cookies: Next's `cookies()` jar and `NextResponse.cookies` both fit. */
export interface CookieWriter {
  set(name: string, value: string, attributes: CookieAttributes): unknown;
}

/** Anything cookies can be read from: Next's `cookies()` jar and `NextRequest.cookies` both fit. */
export interface CookieReader {
  get(name: string): { value: string } | undefined;
}

export function readSessionCookies(jar: CookieReader): SessionTokens | null {
  const accessToken = jar.get(ACCESS_COOKIE)?.value;
  const refreshToken = jar.get(REFRESH_COOKIE)?.value;
  return accessToken && refreshToken ? { accessToken, refreshToken } : null;
}

export function writeSessionCookies(jar: CookieWriter, tokens: SessionTokens): void {
  const attributes = sessionCookieAttributes();
  jar.set(ACCESS_COOKIE, tokens.accessToken, attributes);
  jar.set(REFRESH_COOKIE, tokens.refreshToken, attributes);
}

export function clearSessionCookies(jar: CookieWriter): void {
  const attributes = hostCookieAttributes(0);
  jar.set(ACCESS_COOKIE, "", attributes);
  jar.set(REFRESH_COOKIE, "", attributes);
}
