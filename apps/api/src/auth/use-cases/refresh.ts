import type { SessionTokens } from "@todo/contract";
import { AppError } from "../../errors/app-error.js";
import { rotateRefreshToken } from "../refresh-rotation.js";
import { hashRefreshToken, newRefreshToken } from "../refresh-tokens.js";
import type { AuthServiceDeps, RequestOrigin } from "./deps.js";
import { enforce } from "./limits.js";
import { endSignIn, recordSignInUse, sessionTokens, toUserDto } from "./sign-in.js";

export type RefreshDeps = Pick<
  AuthServiceDeps,
  "prisma" | "tokens" | "revocations" | "rateLimiter" | "limits" | "onRateLimited" | "refreshReuseGraceSeconds"
>;

const invalidRefreshToken = () => new AppError("UNAUTHORIZED", "Invalid or expired refresh token");

/**
 * A new token pair for a refresh token, which is retired (single use, within the reuse grace). A retired
 * token presented after its grace ends the whole sign-in.
 */
export async function refresh(deps: RefreshDeps, refreshToken: string, origin: RequestOrigin): Promise<SessionTokens> {
  const { prisma } = deps;
  await enforce(deps, deps.limits.refreshPerAddress, origin.ip, origin);
  const presentedHash = hashRefreshToken(refreshToken);
  const next = newRefreshToken();
  const rotated = await rotateRefreshToken(prisma, presentedHash, next.hash, deps.refreshReuseGraceSeconds);
  if (rotated) {
    await recordSignInUse(deps, rotated.signInId, origin);
    return sessionTokens(deps, toUserDto(rotated.user), rotated.signInId, next.token);
  }

  const known = await prisma.refreshToken.findUnique({
    where: { tokenHash: presentedHash },
    select: { signInId: true, usedAt: true },
  });
  if (known?.usedAt) {
    // A retired token came back after its grace: someone holds a copy. End the whole sign-in.
    await endSignIn(deps, known.signInId, "refresh_token_reuse");
    origin.log.warn(
      { reason: "refresh_token_reuse", route: origin.route, ip: origin.ip, signInId: known.signInId },
      "refresh token reuse: sign-in revoked",
    );
  } else {
    origin.log.warn(
      {
        reason: known ? "refresh_token_expired_or_revoked" : "unknown_refresh_token",
        route: origin.route,
        ip: origin.ip,
      },
      "authentication failed",
    );
  }
  throw invalidRefreshToken();
}
