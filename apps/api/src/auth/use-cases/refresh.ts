import type { Session } from "@todo/contract";
import { AppError } from "../../errors/app-error.js";
import { rotateRefreshToken } from "../refresh-rotation.js";
import { hashRefreshToken, successorRefreshToken } from "../refresh-tokens.js";
import type { AuthServiceDeps, RequestOrigin } from "./deps.js";
import { enforce } from "./limits.js";
import { revokeSession, sessionBody, toUserDto } from "./sign-in.js";

export type RefreshDeps = Pick<
  AuthServiceDeps,
  | "prisma"
  | "tokens"
  | "revocations"
  | "rateLimiter"
  | "limits"
  | "onRateLimited"
  | "refreshReuseGraceSeconds"
  | "refreshReuseGraceMaxReplays"
  | "refreshSuccessorKey"
>;

const invalidRefreshToken = () => new AppError("UNAUTHORIZED", "Invalid or expired refresh token");

/**
 * A new token pair for a refresh token, which is retired (single use, within the reuse grace). Within the grace
 * a retired token gets its same successor again (one chain: see successorRefreshToken), at most
 * `refreshReuseGraceMaxReplays` times (two tabs and a retry); a retired token presented more often, or after
 * its grace, ends the whole sign-in.
 */
export async function refresh(deps: RefreshDeps, refreshToken: string, origin: RequestOrigin): Promise<Session> {
  const { prisma } = deps;
  await enforce(deps, deps.limits.refreshPerAddress, origin.client, origin);
  const presentedHash = hashRefreshToken(refreshToken);
  const next = successorRefreshToken(deps.refreshSuccessorKey, refreshToken);
  const rotated = await rotateRefreshToken(prisma, presentedHash, next.hash, deps.refreshReuseGraceSeconds);
  if (rotated?.firstUse) return sessionBody(deps, toUserDto(rotated.user), rotated.sessionId, next.token);
  if (rotated) {
    // A retired token again, within its grace. Counted per token in the shared counters (every process sees
    // them), for as long as the grace lasts.
    const replays = await deps.rateLimiter.hit(
      { name: "refresh-replay", limit: deps.refreshReuseGraceMaxReplays, windowSeconds: deps.refreshReuseGraceSeconds },
      presentedHash,
    );
    const context = { route: origin.route, ip: origin.ip, sessionId: rotated.sessionId, replay: replays.count };
    if (replays.count <= deps.refreshReuseGraceMaxReplays) {
      origin.log.info(
        { ...context, event: "refresh_token_replay" },
        "retired refresh token within its grace: same successor",
      );
      return sessionBody(deps, toUserDto(rotated.user), rotated.sessionId, next.token);
    }
    await revokeSession(deps, rotated.sessionId, "refresh_token_reuse");
    origin.log.warn(
      { ...context, reason: "refresh_token_reuse" },
      "refresh token presented more often than two tabs and a retry need: sign-in revoked",
    );
    throw invalidRefreshToken();
  }

  const known = await prisma.refreshToken.findUnique({
    where: { tokenHash: presentedHash },
    select: { sessionId: true, usedAt: true },
  });
  if (known?.usedAt) {
    // A retired token came back after its grace: someone holds a copy. End the whole sign-in.
    await revokeSession(deps, known.sessionId, "refresh_token_reuse");
    origin.log.warn(
      { reason: "refresh_token_reuse", route: origin.route, ip: origin.ip, sessionId: known.sessionId },
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
