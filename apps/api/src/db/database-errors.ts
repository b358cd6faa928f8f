/**
 * Whether an error means "the database cannot be reached or cannot take the query now" (→ 503),
 * as opposed to a bug or a bad query (→ 500). Driver errors arrive wrapped by Prisma, so the
 * whole cause chain is inspected.
 */
const UNAVAILABLE_NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EPIPE",
  "EHOSTUNREACH",
]);
// PostgreSQL SQLSTATEs: connection exceptions, shutdown, too many connections, statement/lock timeouts.
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300|57014|55P03)$/;
// Prisma: can't reach server, timed out, server closed connection, pool timeout.
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNAVAILABLE_MESSAGES = [
  "timeout exceeded when trying to connect",
  "Connection terminated",
  "connection is closed",
  "Client has encountered a connection error",
  "the database system is shutting down",
  "the database system is starting up",
  "PGlite is closed",
];

export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const e = current as { code?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown; kind?: unknown };
    for (const code of [e.code, e.originalCode]) {
      if (
        typeof code === "string" &&
        (UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_PRISMA_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))
      ) {
        return true;
      }
    }
    if (typeof e.message === "string" && UNAVAILABLE_MESSAGES.some((m) => (e.message as string).includes(m)))
      return true;
    if (e.kind === "DatabaseNotReachable" || e.kind === "ConnectionClosed" || e.kind === "SocketTimeout") return true;
    current = e.cause;
  }
  return false;
}
