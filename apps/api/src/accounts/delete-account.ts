import type { DeleteAccountBody } from "@todo/contract";
import type { RequestOrigin } from "../auth/use-cases/deps.js";
import { checkAccountPassword } from "../auth/use-cases/password-check.js";
import { passwordAccount, wrongPassword } from "./change-password.js";
import type { AccountServiceDeps } from "./deps.js";

/**
 * Deletes the account and everything in it in one transaction: the user row goes, and with it (ON DELETE
 * CASCADE) every task, list, sign-in, refresh token, reset token and idempotency record. The ids of its
 * sign-ins are kept as tombstones (no personal data), so revocation sync ends their access tokens in every
 * process. Password accounts confirm with their password (counted like a login attempt).
 */
export async function deleteAccount(
  deps: AccountServiceDeps,
  userId: string,
  body: DeleteAccountBody,
  origin: RequestOrigin,
): Promise<void> {
  const account = await passwordAccount(deps, userId);
  if (account) {
    if (body.password === undefined) throw wrongPassword("Confirm with the account's password");
    if (!(await checkAccountPassword(deps, account, body.password, origin))) throw wrongPassword();
  } else if (body.password !== undefined) {
    throw wrongPassword("This account has no password here; send {}");
  }
  const ended = await deps.prisma.$transaction(async (tx) => {
    // Locked first: no sign-in can be added between the tombstones and the deletion (it would wait, then fail).
    await tx.$queryRaw`SELECT id FROM users WHERE id = ${userId} FOR UPDATE`;
    const signIns = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO sign_in_tombstones (id, revoked_at)
      SELECT id, now() FROM sign_ins WHERE user_id = ${userId}
      ON CONFLICT (id) DO NOTHING
      RETURNING id`;
    await tx.$executeRaw`DELETE FROM users WHERE id = ${userId}`;
    return signIns.map((row) => row.id);
  });
  for (const id of ended) deps.revocations.markRevoked(id);
  deps.onAccountDeleted?.(userId);
  origin.log.info({ userId, endedSignIns: ended.length }, "account deleted");
}
