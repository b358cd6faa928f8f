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
  sameSite: "lax" | "strict";
  secure: true;
  path: "/";
  maxAge: number;
}

/** What every `__Host-` cookie of the app is written with (the prefix requires Secure and Path=/). */
export function hostCookieAttributes(maxAge: number, sameSite: "lax" | "strict" = "lax"): CookieAttributes {
  return { httpOnly: true, sameSite, secure: true, path: "/", maxAge };
}

/**
 * The device cookie (OWASP's device-cookie defence): the API's `deviceToken` from this browser's last successful
 * sign-in, sent with the next login so that a lockout other people's wrong guesses cause on the account does not
 * stop its owner on a device they used before. Apart from the session cookies: signing out keeps it. Only the
 * sign-in form's Server Action (same site) reads it, hence SameSite=Strict. The API decides whether it is still
 * valid (DEVICE_TOKEN_TTL, 90 days by default, the cookie's lifetime too).
 */
export const DEVICE_COOKIE = "__Host-todo_device";
const DEVICE_MAX_AGE_SECONDS = 90 * 24 * 60 * 60;

export function writeDeviceCookie(jar: CookieWriter, deviceToken: string): void {
  jar.set(DEVICE_COOKIE, deviceToken, hostCookieAttributes(DEVICE_MAX_AGE_SECONDS, "strict"));
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
