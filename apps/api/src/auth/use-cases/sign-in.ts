import { randomUUID } from "node:crypto";
import type { SessionTokens, User } from "@todo/contract";
import type { User as UserRow } from "../../generated/prisma/client.js";
import { newRefreshToken } from "../refresh-tokens.js";
import type { AuthServiceDeps } from "./deps.js";

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
export function newSignIn(deps: Pick<AuthServiceDeps, "refreshTokenTtlSeconds">) {
  const signInId = randomUUID();
  const refresh = newRefreshToken();
  const expiresAt = new Date(Date.now() + deps.refreshTokenTtlSeconds * 1000);
  const data = { id: signInId, expiresAt, refreshTokens: { create: { tokenHash: refresh.hash, expiresAt } } };
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

/** Ends a sign-in; true if it was still going. */
export async function endSignIn(
  deps: Pick<AuthServiceDeps, "prisma" | "revocations">,
  signInId: string,
  reason: "logout" | "refresh_token_reuse",
): Promise<boolean> {
  // Stamped by the database's clock, the one revocation sync reads (see SignInRevocations).
  const revoked = await deps.prisma.$executeRaw`
    UPDATE sign_ins SET revoked_at = now(), revoked_reason = ${reason}
    WHERE id = ${signInId}::uuid AND revoked_at IS NULL`;
  deps.revocations.markRevoked(signInId);
  return revoked > 0;
}
