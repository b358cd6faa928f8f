import { cookies } from "next/headers";
import { webEnv } from "@/env";
import { ACCESS_COOKIE } from "@/lib/session-cookies";

/**
 * "Download my data": the API's export, streamed through to the browser as a file. The proxy has renewed an
 * expiring access token before this runs; a sign-in that ended leads to the sign-in page.
 */
// A relative Location: the request's URL names the host Next.js listens on, not necessarily the browser's.
const back = (path: string) => new Response(null, { status: 303, headers: { location: path } });

export async function GET(): Promise<Response> {
  const accessToken = (await cookies()).get(ACCESS_COOKIE)?.value;
  if (!accessToken) return back("/sign-in");
  let res: Response;
  try {
    res = await fetch(`${webEnv().TODO_API_URL}/api/v1/auth/me/export`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
      cache: "no-store",
    });
  } catch {
    return back("/unavailable");
  }
  if (res.status === 401) {
    await res.body?.cancel();
    return back(`/auth/renew?next=${encodeURIComponent("/account/export")}`);
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    return back("/unavailable");
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
