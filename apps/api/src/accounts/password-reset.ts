import { randomUUID } from "node:crypto";
import type { PasswordResetConfirmBody, PasswordResetRequestBody, SessionTokens } from "@todo/contract";
import type { Logger } from "pino";
import type { RequestOrigin } from "../auth/use-cases/deps.js";
import { enforce } from "../auth/use-cases/limits.js";
import { newSignIn, sessionTokens, toUserDto } from "../auth/use-cases/sign-in.js";
import { AppError } from "../errors/app-error.js";
import { hashSecretToken, newSecretToken } from "../lib/secret-token.js";
import type { AccountServiceDeps } from "./deps.js";
import { endSignInsOf } from "./sign-in-list.js";

const invalidResetToken = () =>
  new AppError("INVALID_RESET_TOKEN", "This reset link is invalid, used or expired; ask for a new one");

/**
 * Answers every well-formed address the same way, in the same time: the request path does the same work
 * whatever the address (a per-address limit, then scheduling), and everything that depends on the account
 * (looking it up, the per-account mail cap, the token, the mail) runs after the answer.
 */
export async function requestPasswordReset(
  deps: AccountServiceDeps,
  body: PasswordResetRequestBody,
  origin: RequestOrigin,
): Promise<void> {
  await enforce(deps, deps.accountLimits.resetRequestPerAddress, origin.ip, origin);
  if (!deps.mailer.available) {
    throw new AppError("MAIL_UNAVAILABLE", "Password reset by email is not available: no mail server is configured");
  }
  deps.background.run("password-reset-mail", () => sendResetMail(deps, body.email, origin.log), origin.log);
}

/** The part that depends on the account, after the answer: a token and a mail, for password accounts only. */
async function sendResetMail(deps: AccountServiceDeps, email: string, log: Logger): Promise<void> {
  const { prisma } = deps;
  // Only password accounts have an `email`; external identities (no password here) never match.
  const user = await prisma.user.findUnique({ where: { email }, select: { id: true, passwordHash: true } });
  if (!user?.passwordHash) {
    log.info({ outcome: "no_password_account" }, "password reset requested: no mail");
    return;
  }
  const cap = deps.accountLimits.resetMailPerAccount;
  const sent = await deps.rateLimiter.hit(cap, user.id);
  if (sent.count > cap.limit) {
    log.warn({ outcome: "mail_cap_reached", userId: user.id, limit: cap.name }, "password reset requested: no mail");
    deps.onRateLimited?.(cap.name);
    return;
  }
  const { token, hash } = newSecretToken();
  await prisma.$executeRaw`
    INSERT INTO password_reset_tokens (id, user_id, token_hash, created_at, expires_at)
    VALUES (${randomUUID()}::uuid, ${user.id}, ${hash}, now(), now() + make_interval(secs => ${deps.passwordResetTtlSeconds}))`;
  const link = `${deps.appUrl}/reset-password?token=${encodeURIComponent(token)}`;
  const minutes = Math.round(deps.passwordResetTtlSeconds / 60);
  deps.mailer.send(
    {
      kind: "password-reset",
      to: email,
      subject: "Reset your Todo password",
      text:
        "Someone (hopefully you) asked to reset the password of your Todo account.\n\n" +
        `To choose a new password, open this link within ${minutes} minutes:\n\n${link}\n\n` +
        "The link works once. If you did not ask for it, ignore this mail: your password stays as it is.\n",
      html:
        "<p>Someone (hopefully you) asked to reset the password of your Todo account.</p>" +
        `<p><a href="${link}">Choose a new password</a> (the link works once, within ${minutes} minutes).</p>` +
        "<p>If you did not ask for it, ignore this mail: your password stays as it is.</p>",
    },
    log,
  );
}

/**
 * Sets the password of the reset token's account and signs in anew. The token is consumed atomically in the
 * transaction that changes the password (of concurrent confirmations exactly one succeeds); every other sign-in
 * and every other reset token of the account end with it.
 */
export async function confirmPasswordReset(
  deps: AccountServiceDeps,
  body: PasswordResetConfirmBody,
  origin: RequestOrigin,
): Promise<SessionTokens> {
  const { prisma, hasher } = deps;
  await enforce(deps, deps.accountLimits.resetConfirmPerAddress, origin.ip, origin);
  const requester = { client: origin.ip, signal: origin.signal };
  hasher.assertRoom(requester);
  const tokenHash = hashSecretToken(body.token);
  const rejected = (reason: string) => {
    origin.log.warn({ reason, route: origin.route, ip: origin.ip }, "password reset refused");
    return invalidResetToken();
  };
  // A cheap look first, so that an unknown token costs no bcrypt work.
  const [live] = await prisma.$queryRaw<{ user_id: string }[]>`
    SELECT t.user_id FROM password_reset_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = ${tokenHash} AND t.used_at IS NULL AND t.expires_at > now() AND u.password_hash IS NOT NULL`;
  if (!live) throw rejected("unknown_used_or_expired_reset_token");
  const passwordHash = await hasher.hash(body.password, requester);

  const signIn = newSignIn(deps, origin);
  const outcome = await prisma.$transaction(async (tx) => {
    // The consumption is the check: one UPDATE, so of concurrent confirmations only one finds the token unused.
    const [claimed] = await tx.$queryRaw<{ user_id: string }[]>`
      UPDATE password_reset_tokens SET used_at = now()
      WHERE token_hash = ${tokenHash} AND used_at IS NULL AND expires_at > now()
      RETURNING user_id`;
    if (!claimed) return undefined;
    const userId = claimed.user_id;
    const [user] = await tx.$queryRaw<{ id: string; email: string | null; created_at: Date; updated_at: Date }[]>`
      UPDATE users SET password_hash = ${passwordHash}, updated_at = now()
      WHERE id = ${userId} AND password_hash IS NOT NULL
      RETURNING id, email, created_at, updated_at`;
    if (!user) return undefined;
    await tx.$executeRaw`
      UPDATE password_reset_tokens SET used_at = now() WHERE user_id = ${userId} AND used_at IS NULL`;
    const ended = await endSignInsOf(tx, userId, "password_reset");
    await tx.signIn.create({ data: { ...signIn.data, userId } });
    return { user, ended };
  });
  if (!outcome) throw rejected("reset_token_taken_concurrently");
  for (const id of outcome.ended) deps.revocations.markRevoked(id);
  origin.log.info({ userId: outcome.user.id, endedSignIns: outcome.ended.length }, "password reset");
  const user = toUserDto({
    id: outcome.user.id,
    email: outcome.user.email,
    createdAt: outcome.user.created_at,
    updatedAt: outcome.user.updated_at,
  });
  return sessionTokens(deps, user, signIn.signInId, signIn.refreshToken);
}
