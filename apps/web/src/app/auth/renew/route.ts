import { type NextRequest, NextResponse } from "next/server";
import { renewSession } from "@/lib/renewal";
import { safeNextPath } from "@/lib/safe-next-path";
import { apiWith, clientAddress, dropSession, SIGN_IN_ENDED, saveSession } from "@/lib/server-session";
import { REFRESH_COOKIE } from "@/lib/session-cookies";

/**
 * Where a Server Component sends the person when the API answered 401 (it cannot write cookies itself): renew
 * the session once, check the new token works, and go back; a sign-in that ended goes to the sign-in page.
 * A GET because it is reached by redirect; it changes nothing but this browser's own session cookies.
 */
export async function GET(request: NextRequest): Promise<NextResponse> {
  // A relative Location: request.url names the host Next.js listens on, not necessarily the one the browser used.
  const back = (path: string) => new NextResponse(null, { status: 303, headers: { location: path } });
  const refreshToken = request.cookies.get(REFRESH_COOKIE)?.value;
  if (!refreshToken) return back("/sign-in");

  const outcome = await renewSession(refreshToken, await clientAddress());
  if (outcome.kind === "unavailable") return back("/unavailable");
  if (outcome.kind === "renewed") {
    const me = await apiWith(outcome.tokens.accessToken)
      .auth.me({ fetchOptions: { cache: "no-store" } })
      .catch(() => null);
    if (me === null || me.status >= 500) return back("/unavailable");
    if (me.status === 200) {
      await saveSession(outcome.tokens);
      return back(safeNextPath(request.nextUrl.searchParams.get("next")));
    }
  }
  await dropSession();
  return back(SIGN_IN_ENDED);
}
