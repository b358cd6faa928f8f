import type { PrismaClient } from "../generated/prisma/client.js";

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

/**
 * Fixed-window counters kept in the database, so every API process on it shares them.
 * One upsert per hit; expired windows restart at 1 in the same statement.
 */
export class RateLimiter {
  constructor(private readonly prisma: PrismaClient) {}

  async hit(rule: RateLimitRule, subject: string): Promise<RateLimitState> {
    const key = `${rule.name}:${subject}`;
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

  /** Current counts of several counters without touching them (for limits that count failures only). */
  async peek(entries: { rule: RateLimitRule; subject: string }[]): Promise<RateLimitState[]> {
    const keys = entries.map((e) => `${e.rule.name}:${e.subject}`);
    const rows = await this.prisma.$queryRaw<{ key: string; count: number; retry_after: number }[]>`
      SELECT key, count, CEIL(EXTRACT(EPOCH FROM (expires_at - now())))::int AS retry_after
      FROM rate_limit_counters WHERE key = ANY(${keys}) AND expires_at > now()`;
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return keys.map((key) => {
      const row = byKey.get(key);
      return row
        ? { count: Number(row.count), retryAfterSeconds: Math.max(1, Number(row.retry_after)) }
        : { count: 0, retryAfterSeconds: 0 };
    });
  }

  /** Drops windows that ended; called now and then so the table stays small. */
  async purgeExpired(): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM rate_limit_counters WHERE expires_at < now()`;
  }
}
