import { isIP } from "node:net";
import type { Request } from "express";
import { addressGroup, normalizeAddress } from "../../../../tooling/net-guard.mjs";

/**
 * The client's address: the TCP peer, or, behind proxies trusted by TRUST_PROXY, the address they forwarded
 * (X-Forwarded-For, as Express reads it). A forwarded entry that is not an IP address (`isIP`) is never taken
 * for one: the client is then the address of the proxy that forwarded it, the next entry towards us (the TCP
 * peer at the end of the chain is always an address). A long non-IP entry once reached the rate-limit key and
 * overflowed its column (a 500); garbage now counts against the proxy that let it through.
 */
export function clientAddress(req: Request): string {
  const peer = req.socket.remoteAddress ?? "";
  // req.ips: the trusted part of the chain, the client first and the nearest proxy last.
  const chain = [peer, ...[...req.ips].reverse()];
  for (let i = chain.length - 1; i >= 0; i--) {
    const entry = chain[i]!.trim();
    if (isIP(entry)) return normalizeAddress(entry);
  }
  return normalizeAddress(peer) || "unknown";
}

/**
 * Who per-address limits and the hashing queue's fair shares count: the client address grouped (an IPv6 /64 as
 * one client, IPv4-mapped IPv6 as IPv4; see addressGroup). The one place where requests get this key.
 */
export function clientGroup(req: Request): string {
  return addressGroup(clientAddress(req));
}
