import { Prisma, type PrismaClient } from "../generated/prisma/client.js";

export interface RateLimitRule {
  /** Counter namespace, e.g. `login-account`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitState {
  count: number;
  /** Seconds until the window resets. */
  retryAfterSeconds: number;
}

/** One counter an attempt must pass: a rule applied to a subject (an address, an account, both). */
export interface RateLimitCheck {
  rule: RateLimitRule;
  subject: string;
}

export type Reservation =
  | {
      admitted: true;
      keys: string[];
      /** Each counter's count, this attempt included, in the order of the checks. */
      counts: number[];
    }
  | { admitted: false; refusedBy: RateLimitRule; retryAfterSeconds: number };

const keyOf = ({ rule, subject }: RateLimitCheck): string => `${rule.name}:${subject}`;

/** Fixed-window counters kept in the database, so every API process on it shares them. */
export class RateLimiter {
  constructor(private readonly prisma: PrismaClient) {}

  /** Counts one attempt against one counter (attempts, not failures: registrations, refreshes). */
  async hit(rule: RateLimitRule, subject: string): Promise<RateLimitState> {
    const key = keyOf({ rule, subject });
    const rows = await this.prisma.$queryRaw<{ count: number; retry_after: number }[]>`
      INSERT INTO rate_limit_counters AS c (key, window_start, count, expires_at)
      VALUES (${key}, now(), 1, now() + make_interval(secs => ${rule.windowSeconds}))
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN c.expires_at <= now() THEN 1 ELSE c.count + 1 END,
        window_start = CASE WHEN c.expires_at <= now() THEN now() ELSE c.window_start END,
        expires_at = CASE WHEN c.expires_at <= now() THEN EXCLUDED.expires_at ELSE c.expires_at END
      RETURNING count, CEIL(EXTRACT(EPOCH FROM (expires_at - now())))::int AS retry_after`;
    const row = rows[0];
    return { count: Number(row?.count ?? 1), retryAfterSeconds: Math.max(1, Number(row?.retry_after ?? 1)) };
  }

  /**
   * Takes an attempt's place in every counter, or in none: one SQL statement that upserts and increments
   * each counter in turn, each step running only if the one before admitted the attempt, and returns the
   * counts. A reserved counter stops one past its limit: it then means "refused until the window ends",
   * and refused attempts no longer add to it. Concurrent attempts serialise on the counters' rows, so no more than a limit's number are ever
   * admitted, however many arrive at once, in one process or many.
   *
   * Order matters: put the counters a caller charges only to itself first (its address) and the shared
   * ones (an account, which its owner also needs) last. An attempt refused by an earlier counter never
   * touches the later ones, so one address cannot spend an account's shared allowance with attempts its
   * own limit already refuses. Rows are always locked in this order, so concurrent statements cannot deadlock.
   */
  async reserve(checks: RateLimitCheck[]): Promise<Reservation> {
    const steps = checks.map((check, i) => {
      const { limit, windowSeconds } = check.rule;
      const source =
        i === 0
          ? Prisma.empty
          : Prisma.raw(` FROM step${i - 1} WHERE step${i - 1}.count <= ${Math.trunc(checks[i - 1]!.rule.limit)}`);
      return Prisma.sql`${Prisma.raw(`step${i}`)} AS (
        INSERT INTO rate_limit_counters AS c (key, window_start, count, expires_at)
        SELECT ${keyOf(check)}, now(), 1, now() + make_interval(secs => ${windowSeconds})${source}
        ON CONFLICT (key) DO UPDATE SET
          count = CASE WHEN c.expires_at <= now() THEN 1 WHEN c.count <= ${limit} THEN c.count + 1 ELSE c.count END,
          window_start = CASE WHEN c.expires_at <= now() THEN now() ELSE c.window_start END,
          expires_at = CASE WHEN c.expires_at <= now() THEN EXCLUDED.expires_at ELSE c.expires_at END
        RETURNING ${i}::int AS step, count, CEIL(EXTRACT(EPOCH FROM (expires_at - now())))::int AS retry_after
      )`;
    });
    const results = Prisma.join(
      checks.map((_, i) => Prisma.raw(`SELECT step, count, retry_after FROM step${i}`)),
      " UNION ALL ",
    );
    const rows = await this.prisma.$queryRaw<{ step: number; count: number; retry_after: number }[]>`
      WITH ${Prisma.join(steps, ", ")} ${results}`;
    const byStep = new Map(rows.map((row) => [Number(row.step), row]));
    for (const [i, check] of checks.entries()) {
      const row = byStep.get(i);
      if (!row || Number(row.count) > check.rule.limit) {
        return {
          admitted: false,
          refusedBy: check.rule,
          retryAfterSeconds: Math.max(1, Number(row?.retry_after ?? check.rule.windowSeconds)),
        };
      }
    }
    return { admitted: true, keys: checks.map(keyOf), counts: checks.map((_, i) => Number(byStep.get(i)!.count)) };
  }

  /**
   * Gives back an admitted attempt that turned out not to count (a login that succeeded: the limits count
   * failures). Only windows still open are touched. One row per statement, in the order `reserve` locks
   * them: a single UPDATE over all keys would lock them in index order and could deadlock with a reservation.
   */
  async refund(reservation: Extract<Reservation, { admitted: true }>): Promise<void> {
    for (const key of reservation.keys) {
      await this.prisma.$executeRaw`
        UPDATE rate_limit_counters SET count = count - 1 WHERE key = ${key} AND count > 0 AND expires_at > now()`;
    }
  }

  /** Drops windows that ended; called now and then so the table stays small. */
  async purgeExpired(): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM rate_limit_counters WHERE expires_at < now()`;
  }
}
