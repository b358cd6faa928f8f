import type { LoginBody, SessionTokens } from "@todo/contract";
import { AppError } from "../../errors/app-error.js";
import { exceedsBcryptLimit } from "../passwords.js";
import type { AuthServiceDeps, RequestOrigin } from "./deps.js";
import { rateLimited } from "./limits.js";
import { newSignIn, sessionTokens, toUserDto } from "./sign-in.js";

export type LoginDeps = Pick<
  AuthServiceDeps,
  "prisma" | "hasher" | "tokens" | "rateLimiter" | "limits" | "onRateLimited" | "refreshTokenTtlSeconds"
>;

const invalidCredentials = () => new AppError("INVALID_CREDENTIALS", "Invalid email or password");

/** A new sign-in for a password account, within the failed-login limits. */
export async function login(deps: LoginDeps, body: LoginBody, origin: RequestOrigin): Promise<SessionTokens> {
  const { prisma, hasher, rateLimiter, limits } = deps;
  const requester = { client: origin.ip, signal: origin.signal };
  hasher.assertRoom(requester);
  // The attempt takes its place in every limit before any password is compared (one statement, so
  // concurrent guesses cannot overtake a limit). Counters the caller charges to itself come first and
  // the account's own ceiling, which its owner also needs, last: see RateLimiter.reserve.
  const reservation = await rateLimiter.reserve([
    { rule: limits.loginPerAccountAndAddress, subject: `${body.email} ${origin.ip}` },
    { rule: limits.loginPerAddress, subject: origin.ip },
    { rule: limits.loginPerAccount, subject: body.email },
  ]);
  if (!reservation.admitted) {
    origin.log.warn(
      { reason: "rate_limited", limit: reservation.refusedBy.name, route: origin.route, ip: origin.ip },
      "login refused: too many failures",
    );
    deps.onRateLimited?.(reservation.refusedBy.name);
    throw rateLimited(reservation.retryAfterSeconds);
  }
  const failed = (reason: string) => {
    origin.log.warn({ reason, route: origin.route, ip: origin.ip }, "authentication failed");
    return invalidCredentials();
  };
  // bcrypt would compare only the first 72 bytes: such a password is never the account's (registration
  // refuses it), and a wrong one counts like any other, without spending a hash on it.
  if (exceedsBcryptLimit(body.password)) throw failed("password_too_long");

  const user = await prisma.user.findUnique({ where: { email: body.email } });
  let ok: boolean;
  try {
    // Always one bcrypt comparison, so an unknown email answers in the time a wrong password takes.
    ok = await hasher.verify(body.password, user?.passwordHash, requester);
  } catch (err) {
    // No password was compared (hash queue full, or the request ended first): not a failed login.
    await rateLimiter.refund(reservation).catch(() => undefined);
    throw err;
  }
  if (!user || !ok) throw failed(user ? "wrong_password" : "unknown_email");

  // The limits count failures: a successful login gives its place back.
  await rateLimiter.refund(reservation);
  const signIn = newSignIn(deps, origin);
  await prisma.signIn.create({ data: { ...signIn.data, userId: user.id } });
  return sessionTokens(deps, toUserDto(user), signIn.signInId, signIn.refreshToken);
}
