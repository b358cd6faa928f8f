import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.js";

/** The sign-in a refresh token was rotated in, and its user's row. */
export interface RotatedRefresh {
  signInId: string;
  user: { id: string; email: string | null; createdAt: Date; updatedAt: Date };
}

/**
 * Refresh-token rotation in one statement: claims the presented token, checks its sign-in is alive, and
 * issues a successor (hash `nextHash`) in the same sign-in. A token is single use, except that within
 * `graceSeconds` of its first rotation (kept in `used_at`, which later claims do not move) it is answered
 * again with another successor for the same sign-in: a retried request, or two tabs that refreshed at once.
 * Concurrent refreshes of one token serialise on its row: with no grace exactly one wins, within it all do.
 * Undefined when nothing was rotated: the token is unknown, retired longer ago than the grace, expired, or
 * its sign-in has ended; the caller finds out which.
 */
export async function rotateRefreshToken(
  prisma: PrismaClient,
  presentedHash: string,
  nextHash: string,
  graceSeconds: number,
): Promise<RotatedRefresh | undefined> {
  const rows = await prisma.$queryRaw<
    { sign_in_id: string; id: string; email: string | null; created_at: Date; updated_at: Date }[]
  >`
    WITH claimed AS (
      UPDATE refresh_tokens SET used_at = COALESCE(used_at, now())
      WHERE token_hash = ${presentedHash} AND expires_at > now() AND (
        used_at IS NULL
        OR (${graceSeconds} > 0 AND used_at > now() - make_interval(secs => ${graceSeconds})))
      RETURNING sign_in_id
    ), live AS (
      SELECT s.id, s.user_id, s.expires_at FROM sign_ins s JOIN claimed c ON c.sign_in_id = s.id
      WHERE s.revoked_at IS NULL AND s.expires_at > now()
    ), issued AS (
      INSERT INTO refresh_tokens (id, sign_in_id, token_hash, expires_at, created_at)
      SELECT ${randomUUID()}::uuid, live.id, ${nextHash}, live.expires_at, now() FROM live
      RETURNING sign_in_id
    )
    SELECT issued.sign_in_id, u.id, u.email, u.created_at, u.updated_at
    FROM issued JOIN live ON live.id = issued.sign_in_id JOIN users u ON u.id = live.user_id`;
  const row = rows[0];
  if (!row) return undefined;
  return {
    signInId: row.sign_in_id,
    user: { id: row.id, email: row.email, createdAt: row.created_at, updatedAt: row.updated_at },
  };
}
