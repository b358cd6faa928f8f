import { randomUUID } from "node:crypto";
import type { SessionTokens, User } from "@todo/contract";
import type { User as UserRow } from "../../generated/prisma/client.js";
import { newRefreshToken } from "../refresh-tokens.js";
import type { AuthServiceDeps, RequestOrigin } from "./deps.js";

/** A password account's email, or the verified email an external identity's provider last gave. */
export function toUserDto(
  row: Pick<UserRow, "id" | "email" | "createdAt" | "updatedAt"> & { externalEmail?: string | null },
): User {
  return {
    id: row.id,
    email: row.email ?? row.externalEmail ?? null,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** A new sign-in: its row with its first refresh token, created together with (or for) the user. */
export function newSignIn(
  deps: Pick<AuthServiceDeps, "refreshTokenTtlSeconds">,
  origin?: Pick<RequestOrigin, "ip" | "userAgent">,
) {
  const signInId = randomUUID();
  const refresh = newRefreshToken();
  const expiresAt = new Date(Date.now() + deps.refreshTokenTtlSeconds * 1000);
  const data = {
    id: signInId,
    expiresAt,
    ipAddress: origin?.ip.slice(0, 64) ?? null,
    userAgent: origin?.userAgent ?? null,
    refreshTokens: { create: { tokenHash: refresh.hash, expiresAt } },
  };
  return { signInId, refreshToken: refresh.token, data };
}

/** What register, login and refresh answer: the user, a new access token for the sign-in, its refresh token. */
export function sessionTokens(
  deps: Pick<AuthServiceDeps, "tokens">,
  user: User,
  signInId: string,
  refreshToken: string,
): SessionTokens {
  return {
    user,
    accessToken: deps.tokens.sign({ userId: user.id, email: user.email, signInId }),
    refreshToken,
    tokenType: "Bearer",
    expiresIn: deps.tokens.ttlSeconds,
  };
}

/** Why a sign-in ended (`revoked_reason`). */
export type SignInEndReason =
  | "logout"
  | "refresh_token_reuse"
  | "password_reset"
  | "password_change"
  | "ended_by_owner";

/** Records a use of the sign-in (a refresh): when, from where, with what. */
export async function recordSignInUse(
  deps: Pick<AuthServiceDeps, "prisma">,
  signInId: string,
  origin: Pick<RequestOrigin, "ip" | "userAgent">,
): Promise<void> {
  await deps.prisma.$executeRaw`
    UPDATE sign_ins SET last_used_at = now(), ip_address = ${origin.ip.slice(0, 64)}, user_agent = ${origin.userAgent ?? null}
    WHERE id = ${signInId}::uuid`;
}

/** Ends a sign-in; true if it was still going. */
export async function endSignIn(
  deps: Pick<AuthServiceDeps, "prisma" | "revocations">,
  signInId: string,
  reason: SignInEndReason,
): Promise<boolean> {
  // Stamped by the database's clock, the one revocation sync reads (see SignInRevocations).
  const revoked = await deps.prisma.$executeRaw`
    UPDATE sign_ins SET revoked_at = now(), revoked_reason = ${reason}
    WHERE id = ${signInId}::uuid AND revoked_at IS NULL`;
  deps.revocations.markRevoked(signInId);
  return revoked > 0;
}
