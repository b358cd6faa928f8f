import type { SignInList } from "@todo/contract";
import type { SignInEndReason } from "../auth/use-cases/sign-in.js";
import { notFound } from "../errors/app-error.js";
import { Prisma } from "../generated/prisma/client.js";
import { isUuid } from "../lib/uuid.js";
import type { AccountServiceDeps } from "./deps.js";

/** The most sign-ins a list shows (the newest): each login makes one, and they last REFRESH_TOKEN_TTL. */
export const SIGN_IN_LIST_MAX = 500;

type Queryable = Pick<Prisma.TransactionClient, "$queryRaw">;

/**
 * Ends the account's live sign-ins, all of them or all but `keep`, stamped by the database's clock (the one
 * revocation sync reads); returns their ids, for the caller to mark revoked in this process once committed.
 */
export async function endSignInsOf(
  db: Queryable,
  userId: string,
  reason: SignInEndReason,
  keep?: string,
): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE sign_ins SET revoked_at = now(), revoked_reason = ${reason}
    WHERE user_id = ${userId} AND revoked_at IS NULL
    ${keep === undefined ? Prisma.empty : Prisma.sql`AND id <> ${keep}::uuid`}
    RETURNING id`;
  return rows.map((row) => row.id);
}

/** The account's live sign-ins, newest first; `current` marks the caller's own. */
export async function listSignIns(
  deps: Pick<AccountServiceDeps, "prisma">,
  userId: string,
  currentSignInId: string | undefined,
): Promise<SignInList> {
  const rows = await deps.prisma.$queryRaw<
    {
      id: string;
      created_at: Date;
      last_used_at: Date;
      expires_at: Date;
      user_agent: string | null;
      ip_address: string | null;
    }[]
  >`
    SELECT id, created_at, last_used_at, expires_at, user_agent, ip_address FROM sign_ins
    WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > now()
    ORDER BY created_at DESC, id DESC
    LIMIT ${SIGN_IN_LIST_MAX}`;
  return {
    items: rows.map((row) => ({
      id: row.id,
      createdAt: new Date(row.created_at).toISOString(),
      lastUsedAt: new Date(row.last_used_at).toISOString(),
      expiresAt: new Date(row.expires_at).toISOString(),
      userAgent: row.user_agent,
      ipAddress: row.ip_address,
      current: row.id === currentSignInId,
    })),
  };
}

/** Ends one of the caller's sign-ins (its own included). Another person's, an unknown or an ended one: 404. */
export async function endOwnSignIn(
  deps: Pick<AccountServiceDeps, "prisma" | "revocations">,
  userId: string,
  signInId: string,
): Promise<void> {
  if (!isUuid(signInId)) throw notFound("Sign-in");
  const ended = await deps.prisma.$executeRaw`
    UPDATE sign_ins SET revoked_at = now(), revoked_reason = ${"ended_by_owner"}
    WHERE id = ${signInId}::uuid AND user_id = ${userId} AND revoked_at IS NULL AND expires_at > now()`;
  if (ended === 0) throw notFound("Sign-in");
  deps.revocations.markRevoked(signInId);
}

/** Ends every sign-in of the caller but the one it signs in with. */
export async function endOtherSignIns(
  deps: Pick<AccountServiceDeps, "prisma" | "revocations">,
  userId: string,
  currentSignInId: string | undefined,
): Promise<void> {
  const ended = await endSignInsOf(deps.prisma, userId, "ended_by_owner", currentSignInId);
  for (const id of ended) deps.revocations.markRevoked(id);
}
