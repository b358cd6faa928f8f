import type { Logger } from "pino";
import type { PrismaClient } from "../generated/prisma/client.js";

/** A revoking transaction is stamped with its start time and may commit after a later poll: look back. */
const OVERLAP_SECONDS = 30;

/**
 * Which sign-ins have been ended, so their still-unexpired access tokens can be refused without a
 * database query per request. Each process polls the sign_ins table (and the tombstones of deleted accounts'
 * sign-ins) every few seconds, which is what makes a sign-out, a detected refresh-token reuse, a password
 * reset or change, or an account deletion effective in every process within seconds.
 */
export class SignInRevocations {
  /**
   * sign-in id → when it can be forgotten (no access token of it can still be unexpired), on this process's
   * monotonic clock (`performance.now()`), converted from the database's clock at each poll.
   */
  private readonly revoked = new Map<string, number>();
  /** The database's `now()` at the last poll: the next one starts there (less an overlap). */
  private syncedThrough: Date | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly accessTokenTtlSeconds: number,
    private readonly logger: Logger,
  ) {}

  isRevoked(signInId: string): boolean {
    return this.revoked.has(signInId);
  }

  /** Records a revocation made by this process at once, ahead of the next poll. */
  markRevoked(signInId: string): void {
    this.revoked.set(signInId, performance.now() + this.accessTokenTtlSeconds * 1000);
  }

  /**
   * One clock decides what is recent: the database's. The first load's window, each later poll's start (the
   * database's `now()` at the previous poll, less an overlap) and each revocation's remaining life are all
   * computed from `now()` in SQL, so a host clock that disagrees with the database's, by seconds or by
   * hours, can neither hide a revocation nor forget one early.
   */
  async sync(): Promise<void> {
    const ttlSeconds = this.accessTokenTtlSeconds;
    const rows = await this.prisma.$queryRaw<{ id: string | null; remaining_ms: number | null; now: Date }[]>`
      SELECT s.id, clock.now,
        (EXTRACT(EPOCH FROM (s.revoked_at - clock.now)) * 1000 + ${ttlSeconds * 1000})::float8 AS remaining_ms
      FROM (SELECT now() AS now) clock
      LEFT JOIN (
        SELECT id, revoked_at FROM sign_ins
        UNION ALL SELECT id, revoked_at FROM sign_in_tombstones
      ) s ON s.revoked_at > COALESCE(
        ${this.syncedThrough ?? null}::timestamptz - make_interval(secs => ${OVERLAP_SECONDS}),
        clock.now - make_interval(secs => ${ttlSeconds}))`;
    const now = performance.now();
    for (const row of rows) {
      if (row.id === null) continue;
      const forgetAt = now + Number(row.remaining_ms);
      if (forgetAt > (this.revoked.get(row.id) ?? 0)) this.revoked.set(row.id, forgetAt);
    }
    if (rows[0]) this.syncedThrough = new Date(rows[0].now);
    for (const [id, forgetAt] of this.revoked) if (forgetAt < now) this.revoked.delete(id);
  }

  /** Loads the current revocations, then keeps polling in the background. */
  async start(intervalMs: number): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => {
      this.sync().catch((err: Error) => this.logger.warn({ err: { message: err.message } }, "revocation sync failed"));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
