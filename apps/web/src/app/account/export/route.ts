import { cookies } from "next/headers";
import { type NextRequest, NextResponse } from "next/server";
import { webEnv } from "@/env";
import { ACCESS_COOKIE } from "@/lib/session-cookies";

/**
 * "Download my data": the API's export, streamed through to the browser as a file. The proxy has renewed an
 * expiring access token before this runs; a sign-in that ended leads to the sign-in page.
 */
export async function GET(request: NextRequest): Promise<Response> {
  const accessToken = (await cookies()).get(ACCESS_COOKIE)?.value;
  if (!accessToken) return NextResponse.redirect(new URL("/sign-in", request.url), 303);
  let res: Response;
  try {
    res = await fetch(`${webEnv().TODO_API_URL}/api/v1/auth/me/export`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
      cache: "no-store",
    });
  } catch {
    return NextResponse.redirect(new URL("/unavailable", request.url), 303);
  }
  if (res.status === 401) {
    await res.body?.cancel();
    return NextResponse.redirect(new URL(`/auth/renew?next=${encodeURIComponent("/account/export")}`, request.url), 303);
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    return NextResponse.redirect(new URL("/unavailable", request.url), 303);
  }
  const day = new Date().toISOString().slice(0, 10);
  return new Response(res.body, {
    status: 200,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="todo-export-${day}.json"`,
      "cache-control": "no-store",
    },
  });
}
