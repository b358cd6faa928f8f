import { type NextRequest, NextResponse } from "next/server";
import { webEnv } from "@/env";
import { requestClientAddress } from "@/lib/client-address";
import { renewSignIn } from "@/lib/renewal";
import {
  ACCESS_COOKIE,
  clearSession,
  isSecureContext,
  REFRESH_COOKIE,
  type SessionTokens,
  writeSession,
} from "@/lib/session-cookies";
import { needsRenewal } from "@/lib/token-claims";

/**
 * Renews an access token that has expired or is about to, before the page, Server Action or Route Handler runs:
 * Server Components cannot write cookies, so this is where a renewed pair is both handed to the rendering of
 * this request (its Cookie header) and sent to the browser (Set-Cookie). Concurrent requests with the same
 * cookies share one renewal (renewal.ts).
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const accessToken = request.cookies.get(ACCESS_COOKIE)?.value;
  const refreshToken = request.cookies.get(REFRESH_COOKIE)?.value;
  if (!refreshToken || (accessToken && !needsRenewal(accessToken))) return NextResponse.next();

  const outcome = await renewSignIn(refreshToken, requestClientAddress(request.headers, webEnv().WEB_TRUST_PROXY_HOPS));
  // The API cannot renew right now: go on with what we have; the page reports the outage if it needs the API.
  if (outcome.kind === "unavailable") return NextResponse.next();

  const secure = isSecureContext(
    request.headers.get("host"),
    request.headers.get("x-forwarded-proto"),
    request.nextUrl.protocol,
  );
  if (outcome.kind === "renewed") {
    setRequestCookies(request, outcome.tokens);
    const response = NextResponse.next({ request: { headers: request.headers } });
    writeSession(response.cookies, outcome.tokens, secure);
    return response;
  }
  setRequestCookies(request, null);
  const response = NextResponse.next({ request: { headers: request.headers } });
  clearSession(response.cookies, secure);
  return response;
}

function setRequestCookies(request: NextRequest, tokens: SessionTokens | null): void {
  if (tokens) {
    request.cookies.set(ACCESS_COOKIE, tokens.accessToken);
    request.cookies.set(REFRESH_COOKIE, tokens.refreshToken);
  } else {
    request.cookies.delete(ACCESS_COOKIE);
    request.cookies.delete(REFRESH_COOKIE);
  }
}

export const config = {
  // Pages, actions and route handlers; not the build's static files.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|.*\\.(?:png|svg|ico|txt)$).*)"],
};
