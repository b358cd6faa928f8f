import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.js";

/** A stored answer: what the first request with a key responded. */
export interface StoredResponse {
  status: number;
  /** Headers that belong to the answer (ETag, Location), lower-case names. */
  headers: Record<string, string>;
  /** The JSON body as sent, or undefined for none. */
  body: string | undefined;
}

export type ClaimOutcome =
  /**
   * This request holds the key: process it, then `complete` or `release`. A create makes its resource under
   * `resourceId`, which stays the key's when a retry takes over an unfinished claim (`resumed`: that attempt may
   * have created it).
   */
  | { kind: "claimed"; claim: string; resourceId: string; resumed: boolean }
  /** The key's first request finished: answer with its response. */
  | { kind: "replay"; response: StoredResponse }
  /** The key's first request is still running (or crashed less than a lease ago). */
  | { kind: "in-use"; retryAfterSeconds: number }
  /** The key was used for another request (route or body). */
  | { kind: "reused" };

export interface IdempotencyOptions {
  /** How long an answer is kept for replay (the draft suggests 24 h). */
  ttlSeconds: number;
  /**
   * How long a running request holds its key. A request whose process died leaves its claim behind; once the
   * lease has passed, a retry takes the key over. Longer than any request may run (its deadline and the
   * statement timeout), so a slow first request is never run twice.
   */
  leaseMs: number;
}

interface RecordRow {
  fingerprint: string;
  status: number | null;
  headers: string | null;
  body: string | null;
  lockedUntil: Date | null;
}

/** Claiming races with a release (the row vanishes between two statements): a few rounds settle it. */
const CLAIM_ROUNDS = 3;

/**
 * Idempotency records in PostgreSQL, so every API process shares them. Claiming is one statement: an
 * `INSERT … ON CONFLICT` that only takes over an expired record, or a running one whose lease has passed, so
 * of any number of concurrent requests with one key exactly one is processed.
 */
export class IdempotencyStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: IdempotencyOptions,
  ) {}

  async claim(userId: string, key: string, fingerprint: string): Promise<ClaimOutcome> {
    const { ttlSeconds, leaseMs } = this.options;
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      const claim = randomUUID();
      const proposedId = randomUUID();
      // Taking over an unfinished claim (its process died, or answered 5xx before the release) keeps its resource
      // id: whatever that attempt created is then found, never created twice. An expired record is a new request.
      const claimed = await this.prisma.$queryRaw<{ claim: string; resourceId: string }[]>`
        INSERT INTO idempotency_records AS r
          (user_id, key, fingerprint, claim, locked_until, resource_id, created_at, expires_at)
        VALUES (${userId}, ${key}, ${fingerprint}, ${claim}::uuid, now() + make_interval(secs => ${leaseMs / 1000}),
                ${proposedId}::uuid, now(), now() + make_interval(secs => ${ttlSeconds}))
        ON CONFLICT (user_id, key) DO UPDATE
          SET fingerprint = EXCLUDED.fingerprint, claim = EXCLUDED.claim, locked_until = EXCLUDED.locked_until,
              status = NULL, headers = NULL, body = NULL, created_at = EXCLUDED.created_at,
              expires_at = EXCLUDED.expires_at,
              resource_id = CASE WHEN r.expires_at <= now() THEN EXCLUDED.resource_id
                                 ELSE coalesce(r.resource_id, EXCLUDED.resource_id) END
          WHERE r.expires_at <= now()
             OR (r.status IS NULL AND r.locked_until <= now() AND r.fingerprint = EXCLUDED.fingerprint)
        RETURNING claim::text AS claim, resource_id::text AS "resourceId"`;
      const won = claimed[0];
      // Another id than the one proposed: an unfinished claim's, taken over with whatever its attempt made.
      if (won?.claim === claim) {
        return { kind: "claimed", claim, resourceId: won.resourceId, resumed: won.resourceId !== proposedId };
      }

      const rows = await this.prisma.$queryRaw<RecordRow[]>`
        SELECT fingerprint, status, headers, body, locked_until AS "lockedUntil"
        FROM idempotency_records WHERE user_id = ${userId} AND key = ${key}`;
      const row = rows[0];
      if (!row) continue; // released in between: claim again
      if (row.fingerprint !== fingerprint) return { kind: "reused" };
      if (row.status === null) {
        const left = row.lockedUntil ? row.lockedUntil.getTime() - Date.now() : 1000;
        return { kind: "in-use", retryAfterSeconds: Math.min(Math.max(1, Math.ceil(left / 1000)), 5) };
      }
      return {
        kind: "replay",
        response: {
          status: row.status,
          headers: row.headers ? (JSON.parse(row.headers) as Record<string, string>) : {},
          body: row.body ?? undefined,
        },
      };
    }
    return { kind: "in-use", retryAfterSeconds: 1 };
  }

  /** Keeps the answer of a claimed request for replay; only the claim's holder can. */
  async complete(userId: string, key: string, claim: string, response: StoredResponse): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE idempotency_records
      SET status = ${response.status}, headers = ${JSON.stringify(response.headers)}, body = ${response.body ?? null},
          claim = NULL, locked_until = NULL
      WHERE user_id = ${userId} AND key = ${key} AND claim = ${claim}::uuid`;
  }

  /** Gives the key up (the request failed on our side): a retry will process it afresh. */
  async release(userId: string, key: string, claim: string): Promise<void> {
    await this.prisma.$executeRaw`
      DELETE FROM idempotency_records WHERE user_id = ${userId} AND key = ${key} AND claim = ${claim}::uuid`;
  }
}

/** Deletes records whose answers are no longer kept; housekeeping, like the session cleanup. */
export function purgeExpiredIdempotencyRecords(prisma: PrismaClient): Promise<number> {
  return prisma.$executeRaw`DELETE FROM idempotency_records WHERE expires_at <= now()`;
}
