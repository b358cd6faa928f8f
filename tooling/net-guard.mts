// Shared by the API (apps/api/src/http) and the web server (apps/web/scripts/server.ts): who a client is, as
// per-address limits must count it, and a guard for an HTTP server's connection slots. Node built-ins only.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { isIP, type Socket } from "node:net";

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is `192.0.2.1`; IPv6 is lower-cased, zone dropped. */
export function normalizeAddress(address: string): string {
  const lower = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  const zone = lower.indexOf("%");
  return zone >= 0 && isIP(lower) === 6 ? lower.slice(0, zone) : lower;
}

/** The eight 16-bit groups of an IPv6 address (zone dropped, an IPv4 tail converted); undefined if not IPv6. */
export function ipv6Groups(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.toLowerCase();
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = rest === undefined || rest === "" ? [] : rest.split(":");
  const fill = rest === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  const groups = [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16));
  return groups.length === 8 ? groups : undefined;
}

/**
 * The unit per-address limits count: an IPv4 address, or an IPv6 /64. A single subscriber gets a whole /64 (and
 * picks any of its 2^64 addresses at will), so counting IPv6 addresses one by one would let one machine look
 * like billions of clients. IPv4-mapped IPv6 addresses count as the IPv4 address. Anything that is not an IP
 * address is returned as it is (callers validate addresses before: see the API's client-address.ts).
 */
export function addressGroup(address: string): string {
  const normalized = normalizeAddress(address);
  const groups = ipv6Groups(normalized);
  if (!groups) return normalized;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

export interface ConnectionGuardOptions {
  /** Open connections in all; beyond it an idle keep-alive connection is closed for the new one, else the new one is. 0: none. */
  maxConnections: number;
  /** Open connections per client address group (the TCP peer: see addressGroup); 0: no limit. */
  maxConnectionsPerClient: number;
  /** From accepting a connection to its first request's complete headers (a silent or trickling client). */
  headersTimeoutMs: number;
  /** Peers exempt from the per-client cap: the proxies in front of the server, which carry many clients. */
  isTrustedPeer?: (address: string) => boolean;
  /** Told of each connection refused, and why. */
  onRefused?: (reason: "max_connections" | "max_connections_per_client", peer: string) => void;
}

export interface ConnectionGuard {
  stats(): { open: number; idle: number; refused: number; reclaimed: number };
}

interface Tracked {
  group: string;
  /** No request in progress: between keep-alive requests (or before the first, see `headersDeadline`). */
  idle: boolean;
  served: number;
}

/**
 * Bounds what connections can hold of a Node HTTP server:
 * - a hard deadline from accepting a connection to its first request's headers, whatever trickles in meanwhile
 *   (Node's own `headersTimeout` is only checked every `connectionsCheckingInterval`, 30 s by default, and not
 *   at all for a connection that never sent a byte; a per-socket inactivity timeout is reset by every byte);
 *   later requests on a keep-alive connection are bounded by Node's `headersTimeout` from their first byte,
 *   which needs a server created with a short `connectionsCheckingInterval` (see `connectionsCheckingIntervalMs`);
 * - at most `maxConnectionsPerClient` connections per client address group (peers that are trusted proxies
 *   excepted), so one client cannot take every slot;
 * - at most `maxConnections` in all; when full, the least recently used idle keep-alive connection is closed to
 *   make room (an idle socket costs its holder nothing, a refused request costs a real user), and only when every
 *   connection is busy is the new one closed. Under pressure (¾ full) responses also close their connection.
 * Replaces `server.maxConnections`, which refuses the newcomer even when every slot is an idle keep-alive.
 */
export function guardConnections(server: Server, options: ConnectionGuardOptions): ConnectionGuard {
  const open = new Map<Socket, Tracked>();
  const perGroup = new Map<string, number>();
  const counters = { refused: 0, reclaimed: 0 };
  const pressure = options.maxConnections > 0 ? Math.ceil(options.maxConnections * 0.75) : Number.POSITIVE_INFINITY;

  const refuse = (socket: Socket, reason: "max_connections" | "max_connections_per_client", peer: string) => {
    counters.refused++;
    options.onRefused?.(reason, peer);
    socket.destroy();
  };

  /** Closes the idle connection that has been open longest (Map order is insertion order); false if none. */
  const reclaimIdle = (): boolean => {
    for (const [socket, tracked] of open) {
      if (tracked.idle && !socket.destroyed) {
        counters.reclaimed++;
        socket.destroy();
        forget(socket);
        return true;
      }
    }
    return false;
  };

  const forget = (socket: Socket) => {
    const tracked = open.get(socket);
    if (!tracked) return;
    open.delete(socket);
    const left = (perGroup.get(tracked.group) ?? 1) - 1;
    if (left > 0) perGroup.set(tracked.group, left);
    else perGroup.delete(tracked.group);
  };

  server.on("connection", (socket: Socket) => {
    const peer = socket.remoteAddress ?? "";
    const group = addressGroup(peer);
    const trusted = options.isTrustedPeer?.(normalizeAddress(peer)) ?? false;
    if (
      !trusted &&
      options.maxConnectionsPerClient > 0 &&
      (perGroup.get(group) ?? 0) >= options.maxConnectionsPerClient
    ) {
      refuse(socket, "max_connections_per_client", peer);
      return;
    }
    if (options.maxConnections > 0 && open.size >= options.maxConnections && !reclaimIdle()) {
      refuse(socket, "max_connections", peer);
      return;
    }
    open.set(socket, { group, idle: true, served: 0 });
    perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
    socket.once("close", () => forget(socket));
    // The first request's headers must be complete by then, however slowly its bytes arrive.
    const headersDeadline = setTimeout(() => socket.destroy(), options.headersTimeoutMs);
    headersDeadline.unref();
    socket.once("close", () => clearTimeout(headersDeadline));
    (socket as Socket & { headersDeadline?: NodeJS.Timeout }).headersDeadline = headersDeadline;
  });

  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket as Socket & { headersDeadline?: NodeJS.Timeout };
    if (socket.headersDeadline) {
      clearTimeout(socket.headersDeadline);
      socket.headersDeadline = undefined;
    }
    const tracked = open.get(socket);
    if (!tracked) return;
    tracked.idle = false;
    tracked.served++;
    // Least recently used first: move this connection to the end of the reclaim order.
    open.delete(socket);
    open.set(socket, tracked);
    if (open.size >= pressure && !res.headersSent) res.setHeader("Connection", "close");
    res.once("finish", () => {
      tracked.idle = true;
    });
  });

  return {
    stats: () => ({
      open: open.size,
      idle: [...open.values()].filter((t) => t.idle).length,
      ...counters,
    }),
  };
}

/**
 * How often Node should check `headersTimeout` and `requestTimeout` (the `connectionsCheckingInterval` option of
 * `http.createServer`): often enough that a deadline is enforced within a quarter of its length, at most 1 s late.
 */
export const connectionsCheckingIntervalMs = (headersTimeoutMs: number): number =>
  Math.max(250, Math.min(1_000, Math.floor(headersTimeoutMs / 4)));
