import { isIP } from "node:net";
import type { FetchLike } from "@todo/client";

/**
 * The end user's address, forwarded to the API (which trusts this server through its TRUST_PROXY) so that the
 * API's per-address limits count each person, not the whole web app as one client.
 *
 * Next.js only fills X-Forwarded-For when the request has none, so a browser could choose it. The production
 * server (scripts/server.ts) therefore always appends the TCP peer to the header it received and flags this
 * process (PEER_MARKER): the right-most entry is the peer, and WEB_TRUST_PROXY_HOPS says how many entries from
 * the right were written by proxies of our own in front of this server. Without the flag (`next dev`, a bare
 * `next start`) nothing is forwarded: the API then sees the web server's address, as before.
 */
const PEER_MARKER = Symbol.for("todo-web.peer-appended-to-x-forwarded-for");

type MarkedGlobal = typeof globalThis & { [PEER_MARKER]?: boolean };

/** Called by the production server before it hands requests to Next.js. */
export function markPeerAppended(): void {
  (globalThis as MarkedGlobal)[PEER_MARKER] = true;
}

/** Appends the TCP peer to the chain a request arrived with (what every proxy does). */
export function appendPeer(incoming: string | string[] | undefined, peer: string | undefined): string {
  const chain = Array.isArray(incoming) ? incoming.join(", ") : (incoming ?? "");
  const last = peer ?? "";
  return chain.trim() === "" ? last : `${chain}, ${last}`;
}

/**
 * The client's address in an X-Forwarded-For chain whose last `trustedHops` entries were written by trusted
 * proxies and whose right-most entry is this server's TCP peer; null when there is none that is a valid IP.
 */
export function clientAddressFrom(forwardedFor: string | null, trustedHops: number): string | null {
  if (!forwardedFor) return null;
  const chain = forwardedFor.split(",").map((entry) => entry.trim());
  // A chain shorter than the trusted hops: the furthest address our own proxies saw (Express does the same).
  const entry = chain[Math.max(0, chain.length - 1 - trustedHops)] ?? "";
  const address = entry.toLowerCase().startsWith("::ffff:") && isIP(entry.slice(7)) === 4 ? entry.slice(7) : entry;
  return isIP(address) ? address : null;
}

/** The request's client address, when this process runs behind the production server's peer append. */
export function requestClientAddress(headers: Headers, trustedHops: number): string | null {
  if (!(globalThis as MarkedGlobal)[PEER_MARKER]) return null;
  return clientAddressFrom(headers.get("x-forwarded-for"), trustedHops);
}

/** A fetch for the typed client that tells the API whom this call is made for. */
export function forwardingFetch(clientAddress: string | null): FetchLike | undefined {
  if (!clientAddress) return undefined;
  return (input, init) => {
    const headers = new Headers(init.headers);
    headers.set("x-forwarded-for", clientAddress);
    return globalThis.fetch(input, { ...init, headers });
  };
}
