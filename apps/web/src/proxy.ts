import { accessTokenNeedsRenewal } from "@todo/client/server";
import { type NextRequest, NextResponse } from "next/server";
import { webEnv } from "@/env";
import { requestClientAddress } from "@/lib/client-address";
import { contentSecurityPolicy, NONCE_HEADER, newNonce } from "@/lib/content-security-policy";
import { renewSession } from "@/lib/renewal";
import {
  ACCESS_COOKIE,
  clearSessionCookies,
  REFRESH_COOKIE,
  type SessionTokens,
  writeSessionCookies,
} from "@/lib/session-cookies";

/**
 * Runs before every page, Server Action and Route Handler:
 * - gives the request a fresh CSP nonce (Next.js puts it on its own scripts when the request's
 *   Content-Security-Policy header carries it) and sends the policy with the response;
 * - renews session tokens whose access token has expired or is about to: Server Components cannot write cookies,
 *   so this is where a renewed pair is both handed to the rendering of this request (its Cookie header) and sent
 *   to the browser (Set-Cookie). Concurrent requests with the same cookies share one renewal.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const nonce = newNonce();
  const policy = contentSecurityPolicy(nonce, webEnv().NODE_ENV === "development");
  request.headers.set(NONCE_HEADER, nonce);
  request.headers.set("content-security-policy", policy);

  const accessToken = request.cookies.get(ACCESS_COOKIE)?.value;
  const refreshToken = request.cookies.get(REFRESH_COOKIE)?.value;
  let response: NextResponse;
  if (!refreshToken || (accessToken && !accessTokenNeedsRenewal(accessToken))) {
    response = NextResponse.next({ request: { headers: request.headers } });
  } else {
    const outcome = await renewSession(
      refreshToken,
      requestClientAddress(request.headers, webEnv().WEB_TRUST_PROXY_HOPS),
    );
    if (outcome.kind === "unavailable") {
      // The API cannot renew right now: go on with what we have; the page reports the outage if it needs the API.
      response = NextResponse.next({ request: { headers: request.headers } });
    } else {
      const renewed = outcome.kind === "renewed" ? outcome.tokens : null;
      setRequestCookies(request, renewed);
      response = NextResponse.next({ request: { headers: request.headers } });
      if (renewed) writeSessionCookies(response.cookies, renewed);
      else clearSessionCookies(response.cookies);
    }
  }
  response.headers.set("content-security-policy", policy);
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
