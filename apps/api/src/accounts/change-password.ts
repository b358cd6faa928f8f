import type { ChangePasswordBody } from "@todo/contract";
import type { RequestOrigin } from "../auth/use-cases/deps.js";
import { checkAccountPassword } from "../auth/use-cases/password-check.js";
import { AppError } from "../errors/app-error.js";
import type { AccountServiceDeps } from "./deps.js";
import { endSignInsOf } from "./sign-in-list.js";

/** 403, not 401: the access token is fine, the re-entered password is not (or the account has none). */
export const wrongPassword = (message = "The password is not correct") =>
  new AppError("INVALID_CREDENTIALS", message, [], {}, 403);

export const noPassword = () => wrongPassword("This account has no password here; it signs in elsewhere");

/** The signed-in person's password account, with its hash; external identities have none (403). */
export async function passwordAccount(
  deps: Pick<AccountServiceDeps, "prisma">,
  userId: string,
): Promise<{ id: string; email: string; passwordHash: string } | undefined> {
  const user = await deps.prisma.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, passwordHash: true },
  });
  if (!user) throw new AppError("UNAUTHORIZED", "Unknown user");
  if (user.email === null || user.passwordHash === null) return undefined;
  return { id: user.id, email: user.email, passwordHash: user.passwordHash };
}

/**
 * Changes the password after checking the current one (counted like a login attempt). Every other sign-in
 * of the account ends and outstanding reset links die; the caller's own sign-in continues.
 */
export async function changePassword(
  deps: AccountServiceDeps,
  caller: { id: string; signInId: string | undefined },
  body: ChangePasswordBody,
  origin: RequestOrigin,
): Promise<void> {
  const account = await passwordAccount(deps, caller.id);
  if (!account) throw noPassword();
  if (!(await checkAccountPassword(deps, account, body.currentPassword, origin))) throw wrongPassword();
  const passwordHash = await deps.hasher.hash(body.newPassword, { client: origin.ip, signal: origin.signal });
  const ended = await deps.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`
      UPDATE users SET password_hash = ${passwordHash}, updated_at = now() WHERE id = ${account.id}`;
    await tx.$executeRaw`
      UPDATE password_reset_tokens SET used_at = now() WHERE user_id = ${account.id} AND used_at IS NULL`;
    return endSignInsOf(tx, account.id, "password_change", caller.signInId);
  });
  for (const id of ended) deps.revocations.markRevoked(id);
  origin.log.info({ userId: account.id, endedSignIns: ended.length }, "password changed");
}
