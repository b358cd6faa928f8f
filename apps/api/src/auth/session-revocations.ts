import type { Logger } from "pino";
import type { PrismaClient } from "../generated/prisma/client.js";

/**
 * Which sign-ins have been ended, so their still-unexpired access tokens can be refused without a
 * database query per request. Each process polls the sessions table every few seconds, which is what
 * makes a sign-out (or a detected refresh-token reuse) effective in every process within seconds.
 */
export class SessionRevocations {
  /** session id → when it can be forgotten (no access token of it can still be unexpired). */
  private readonly revoked = new Map<string, number>();
  private syncedThrough: Date | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly accessTokenTtlSeconds: number,
    private readonly logger: Logger,
  ) {}

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  /** Records a revocation made by this process at once, ahead of the next poll. */
  markRevoked(sessionId: string): void {
    this.revoked.set(sessionId, Date.now() + this.accessTokenTtlSeconds * 1000);
  }

  async sync(): Promise<void> {
    // Look back a little further than the last poll: a transaction that began earlier may commit later.
    const overlapMs = 30_000;
    const ttlMs = this.accessTokenTtlSeconds * 1000;
    const rows = await this.prisma.$queryRaw<{ id: string; revoked_at: Date; now: Date }[]>`
      SELECT s.id, s.revoked_at, clock.now FROM (SELECT now() AS now) clock
      LEFT JOIN sessions s ON s.revoked_at > ${
        this.syncedThrough ? new Date(this.syncedThrough.getTime() - overlapMs) : new Date(Date.now() - ttlMs)
      }`;
    for (const row of rows) {
      if (row.id) this.revoked.set(row.id, new Date(row.revoked_at).getTime() + ttlMs);
    }
    const first = rows[0];
    if (first) this.syncedThrough = new Date(first.now);
    const now = Date.now();
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
