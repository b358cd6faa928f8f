import { createServerRenewal, type ServerRenewal, type ServerRenewalEvent } from "@todo/client/server";
import { webEnv } from "@/env";
import { forwardingFetch } from "./client-address";

export type { ServerRenewalOutcome as RenewalOutcome } from "@todo/client/server";

/**
 * The web app's use of `@todo/client/server`, which owns renewal (single flight per refresh token, a memory of
 * finished rotations no longer than the API's grace, no walking of rotation chains). The memory lasts the
 * API's REFRESH_REUSE_GRACE_SECONDS, which this app reads from the same variable. Instances share one state per
 * process (the proxy and the app are separate bundles).
 */
function renewal(): ServerRenewal {
  const env = webEnv();
  return createServerRenewal({
    baseUrl: env.TODO_API_URL,
    reuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
    onEvent: logRenewal,
  });
}

let cached: ServerRenewal | undefined;

/** Renews the session tokens for this refresh token; `clientAddress` is forwarded to the API's limits. */
export function renewSession(refreshToken: string, clientAddress: string | null) {
  cached ??= renewal();
  const fetch = forwardingFetch(clientAddress);
  return cached.renew(refreshToken, fetch ? { fetch } : {});
}

/** One JSON line per renewal that reached the API or was answered from memory (no token in it). */
function logRenewal(event: ServerRenewalEvent): void {
  if (event.type === "joined") return;
  const level = event.type === "refreshed" && event.outcome === "ended" ? "warn" : "info";
  console.log(JSON.stringify({ level, time: new Date().toISOString(), msg: "session renewal", ...event }));
}
