import { exceedsBcryptLimit } from "../passwords.js";
import type { AuthServiceDeps, RequestOrigin } from "./deps.js";
import { rateLimited } from "./limits.js";

export type PasswordCheckDeps = Pick<AuthServiceDeps, "hasher" | "rateLimiter" | "limits" | "onRateLimited">;

/**
 * Whether `password` is the password account's, for a signed-in person re-entering it (change password,
 * delete account). Counted exactly like a login attempt of that account: the attempt takes its place in the
 * failed-login limits before any comparison (429 past them) and gives it back only when right, so a stolen
 * access token cannot be used to test passwords any faster than the sign-in form.
 */
export async function checkAccountPassword(
  deps: PasswordCheckDeps,
  account: { email: string; passwordHash: string },
  password: string,
  origin: RequestOrigin,
): Promise<boolean> {
  const { hasher, rateLimiter, limits } = deps;
  const requester = { client: origin.ip, signal: origin.signal };
  hasher.assertRoom(requester);
  const reservation = await rateLimiter.reserve([
    { rule: limits.loginPerAccountAndAddress, subject: `${account.email} ${origin.ip}` },
    { rule: limits.loginPerAddress, subject: origin.ip },
    { rule: limits.loginPerAccount, subject: account.email },
  ]);
  if (!reservation.admitted) {
    origin.log.warn(
      { reason: "rate_limited", limit: reservation.refusedBy.name, route: origin.route, ip: origin.ip },
      "password check refused: too many failures",
    );
    deps.onRateLimited?.(reservation.refusedBy.name);
    throw rateLimited(reservation.retryAfterSeconds);
  }
  const wrong = (reason: string) => {
    origin.log.warn({ reason, route: origin.route, ip: origin.ip }, "authentication failed");
    return false;
  };
  if (exceedsBcryptLimit(password)) return wrong("password_too_long");
  let ok: boolean;
  try {
    ok = await hasher.verify(password, account.passwordHash, requester);
  } catch (err) {
    // No password was compared (hash queue full, or the request ended first): not a failed attempt.
    await rateLimiter.refund(reservation).catch(() => undefined);
    throw err;
  }
  if (!ok) return wrong("wrong_password");
  await rateLimiter.refund(reservation);
  return true;
}
