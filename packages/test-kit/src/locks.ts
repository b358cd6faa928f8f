import pg from "pg";

/**
 * A connection that holds a lock inside an open transaction, so API requests that need the same rows or
 * table wait on it: a deterministic way to keep requests in flight.
 */
export interface LockHolder {
  readonly pid: number;
  /** Resolves once at least `count` other sessions are blocked by this one's locks. */
  waitForBlocked(count: number, withinMs?: number): Promise<void>;
  /** Like `waitForBlocked`, counting also the sessions that wait behind a blocked one (for a lock it holds). */
  waitForQueued(count: number, withinMs?: number): Promise<void>;
  /** How many sessions wait on this one's locks now, directly or behind a blocked one. */
  countQueued(): Promise<number>;
  release(): Promise<void>;
}

export async function holdLock(url: string, lockSql: string, params: unknown[] = []): Promise<LockHolder> {
  const holder = new pg.Client({ connectionString: url });
  // The server may be stopped under it (outage tests): an unhandled 'error' would end the test run.
  holder.on("error", () => undefined);
  await holder.connect();
  await holder.query("BEGIN");
  await holder.query(lockSql, params);
  const pid = (await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
  return {
    pid,
    waitForBlocked: (count, withinMs) => pollUntil(url, BLOCKED_BY, pid, count, withinMs, `sessions blocked by ${pid}`),
    waitForQueued: (count, withinMs) =>
      pollUntil(url, QUEUED_BEHIND, pid, count, withinMs, `sessions blocked by ${pid}, directly or not`),
    countQueued: () => countOnce(url, QUEUED_BEHIND, pid),
    async release() {
      await holder.query("COMMIT").catch(() => undefined);
      await holder.end().catch(() => undefined);
    },
  };
}

const BLOCKED_BY = "SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))";
const QUEUED_BEHIND = `
  WITH RECURSIVE queued(pid) AS (
    SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))
    UNION
    SELECT a.pid FROM pg_stat_activity AS a JOIN queued AS q ON q.pid = ANY(pg_blocking_pids(a.pid))
  )
  SELECT count(*)::int AS n FROM queued`;

/** `countSql`'s count (given the holder's pid), from a connection of its own. */
async function countOnce(url: string, countSql: string, pid: number): Promise<number> {
  const observer = new pg.Client({ connectionString: url });
  await observer.connect();
  try {
    return (await observer.query<{ n: number }>(countSql, [pid])).rows[0]?.n ?? 0;
  } finally {
    await observer.end();
  }
}

/** Polls `countSql` (given the holder's pid) until it counts at least `count`. */
async function pollUntil(url: string, countSql: string, pid: number, count: number, withinMs = 5_000, what = "") {
  // Polled from a connection of its own: statistics views are frozen for the rest of a transaction.
  const observer = new pg.Client({ connectionString: url });
  await observer.connect();
  try {
    const started = performance.now();
    for (;;) {
      const { rows } = await observer.query<{ n: number }>(countSql, [pid]);
      const seen = rows[0]?.n ?? 0;
      if (seen >= count) return;
      if (performance.now() - started > withinMs) throw new Error(`expected ${count} ${what}, saw ${seen}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await observer.end();
  }
}
