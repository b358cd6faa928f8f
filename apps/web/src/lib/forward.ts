import "server-only";
import type { FetchLike } from "@todo/client";
import { headers } from "next/headers";
import { clientAddress } from "./server-session";

/**
 * A fetch for calls the web server makes on a person's behalf when a sign-in starts (sign in, create account,
 * password reset): the API records where and on what the sign-in happened, so it is told the person's address
 * (X-Forwarded-For, when known reliably) and their browser's User-Agent instead of this server's.
 */
export async function onBehalfFetch(): Promise<FetchLike> {
  const address = await clientAddress();
  const userAgent = (await headers()).get("user-agent")?.slice(0, 512) ?? null;
  return (input, init) => {
    const h = new Headers(init.headers);
    if (address) h.set("x-forwarded-for", address);
    if (userAgent) h.set("user-agent", userAgent);
    return globalThis.fetch(input, { ...init, headers: h });
  };
}
