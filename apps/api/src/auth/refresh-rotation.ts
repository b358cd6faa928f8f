import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.js";

/** The sign-in a refresh token was rotated in, and its user's row. */
export interface RotatedRefresh {
  sessionId: string;
  /** False when the token had been rotated before: a presentation within its reuse grace. */
  firstUse: boolean;
  user: { id: string; email: string | null; createdAt: Date; updatedAt: Date };
}

/**
 * Refresh-token rotation in one statement: claims the presented token, checks its sign-in is alive, and
 * records its successor (hash `nextHash`, the same for every presentation of the token: see
 * successorRefreshToken) in the same sign-in. A token is single use, except that within `graceSeconds` of its
 * first rotation (kept in `used_at`, which later claims do not move) it is answered again with that same
 * successor: a retried request, or two tabs that refreshed at once, continue one chain (the successor is
 * inserted once; later presentations find it there). `firstUse` tells the caller which case it was, from the
 * row as it was before this statement (read under its row lock). Concurrent refreshes of one token serialise on
 * its row. Undefined when nothing was rotated: the token is unknown, retired longer ago than the grace,
 * expired, or its sign-in has ended; the caller finds out which.
 */
export async function rotateRefreshToken(
  prisma: PrismaClient,
  presentedHash: string,
  nextHash: string,
  graceSeconds: number,
): Promise<RotatedRefresh | undefined> {
  const rows = await prisma.$queryRaw<
    {
      session_id: string;
      first_use: boolean;
      id: string;
      email: string | null;
      created_at: Date;
      updated_at: Date;
    }[]
  >`
    WITH previous AS (
      SELECT id, used_at FROM refresh_tokens
      WHERE token_hash = ${presentedHash} AND expires_at > now() AND (
        used_at IS NULL
        OR (${graceSeconds} > 0 AND used_at > now() - make_interval(secs => ${graceSeconds})))
      FOR UPDATE
    ), claimed AS (
      UPDATE refresh_tokens r SET used_at = COALESCE(r.used_at, now())
      FROM previous WHERE r.id = previous.id
      RETURNING r.session_id, previous.used_at IS NULL AS first_use
    ), live AS (
      SELECT s.id, s.user_id, s.expires_at, c.first_use FROM sessions s JOIN claimed c ON c.session_id = s.id
      WHERE s.revoked_at IS NULL AND s.expires_at > now()
    ), issued AS (
      INSERT INTO refresh_tokens (id, session_id, token_hash, expires_at, created_at)
      SELECT ${randomUUID()}::uuid, live.id, ${nextHash}, live.expires_at, now() FROM live
      ON CONFLICT (token_hash) DO NOTHING
      RETURNING session_id
    )
    SELECT live.id AS session_id, live.first_use, u.id, u.email, u.created_at, u.updated_at
    FROM live JOIN users u ON u.id = live.user_id`;
  const row = rows[0];
  if (!row) return undefined;
  return {
    sessionId: row.session_id,
    firstUse: row.first_use,
    user: { id: row.id, email: row.email, createdAt: row.created_at, updatedAt: row.updated_at },
  };
}
