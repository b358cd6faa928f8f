/**
 * Whether an error means "the database cannot be reached or cannot take the query now" (→ 503),
 * as opposed to a bug or a bad query (→ 500).
 *
 * What Prisma 7 with @prisma/adapter-pg actually throws (see database-errors.test.ts for the shapes):
 * - model queries: PrismaClientKnownRequestError P1001 (server unreachable), P1017 (connection closed), or
 *   P2010-like codes whose `meta.driverAdapterError.cause` holds the adapter's verdict: a `kind` such as
 *   "DatabaseNotReachable" / "ConnectionClosed", or kind "postgres" with the server's SQLSTATE in `code`;
 * - `$queryRaw` / `$executeRaw`: always P2010 ("Raw query failed"), the real reason only in that same
 *   `meta.driverAdapterError.cause`;
 * - errors the adapter cannot classify (pg-pool's "timeout exceeded when trying to connect" when the pool
 *   is exhausted, pg's "Connection terminated unexpectedly" when the server dies mid-query) pass through
 *   unwrapped, so only their message identifies them.
 * Hence the walk over `cause` and `meta.driverAdapterError` links, matching codes, kinds and messages.
 */
const UNAVAILABLE_NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
// SQLSTATEs: 08 connection exceptions, 53 insufficient resources (too many connections, out of memory, disk
// full), 57P01-03 shutdown / crash recovery / cannot connect now. Also 57014 (statement timeout) and 55P03
// (lock timeout): the query was fine but the database could not answer within our bounds, a transient
// condition on our side, so the caller gets the retryable 503 rather than a 500 that reads like a bug. Likewise
// 40001 (serialization failure) and 40P01 (deadlock detected, e.g. an account deletion racing a write of the same
// account's rows): PostgreSQL aborted one of two transactions, and a retry succeeds.
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0[1-3]|57014|55P03|40001|40P01)$/;
// Prisma: can't reach server, timed out, server closed connection, pool timeout.
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);
const UNAVAILABLE_MESSAGES = [
  "timeout exceeded when trying to connect",
  "Connection terminated",
  "connection is closed",
  "Client has encountered a connection error",
  "Client was closed and is not queryable",
  "Cannot use a pool after calling end on the pool",
  "Query read timeout",
  "the database system is shutting down",
  "the database system is starting up",
  "the database system is in recovery mode",
  "PGlite is closed",
];

interface ErrorLike {
  code?: unknown;
  originalCode?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

function isUnavailableLink(e: ErrorLike): boolean {
  for (const code of [e.code, e.originalCode]) {
    if (
      typeof code === "string" &&
      (UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_PRISMA_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))
    ) {
      return true;
    }
  }
  if (typeof e.kind === "string" && UNAVAILABLE_ADAPTER_KINDS.has(e.kind)) return true;
  const message = e.message;
  return typeof message === "string" && UNAVAILABLE_MESSAGES.some((m) => message.includes(m));
}

export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [err];
  while (pending.length > 0) {
    const current = pending.pop();
    if (!current || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const e = current as ErrorLike;
    if (isUnavailableLink(e)) return true;
    pending.push(e.cause, e.meta?.driverAdapterError);
  }
  return false;
}

interface ForeignKeyLike extends ErrorLike {
  constraint?: unknown;
  meta?: { driverAdapterError?: unknown; field_name?: unknown; constraint?: unknown };
}

const constraintName = (e: ForeignKeyLike): string => {
  const named = [e.constraint, e.meta?.constraint, e.meta?.field_name].find((c) => c !== undefined);
  if (typeof named === "string") return named;
  const index = (named as { index?: unknown } | undefined)?.index;
  return typeof index === "string" ? index : typeof e.message === "string" ? e.message : "";
};

/**
 * Whether an error is a foreign-key violation on a row's owner (`<table>_user_id_fkey`): the account was
 * deleted while the request ran (an insert that saw the user, then found it gone when its check ran). The
 * request's token belonged to an account that no longer exists: a 401, not a fault of ours.
 */
export function isOwnerGone(err: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [err];
  while (pending.length > 0) {
    const current = pending.pop();
    if (!current || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const e = current as ForeignKeyLike;
    const foreignKey =
      e.originalCode === "23503" ||
      e.code === "23503" ||
      e.code === "P2003" ||
      e.kind === "ForeignKeyConstraintViolation";
    if (foreignKey && /_user_id_fkey\b/.test(constraintName(e))) return true;
    pending.push(e.cause, e.meta?.driverAdapterError);
  }
  return false;
}
