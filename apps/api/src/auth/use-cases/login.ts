import type { LoginBody, Session } from "@todo/contract";
import { AppError } from "../../errors/app-error.js";
import type { HashLane } from "../hash-pool.js";
import { exceedsBcryptLimit } from "../passwords.js";
import type { RateLimitCheck } from "../rate-limiter.js";
import type { AuthServiceDeps, RequestOrigin } from "./deps.js";
import { rateLimited } from "./limits.js";
import { newSignIn, sessionBody, toUserDto } from "./sign-in.js";

export type LoginDeps = Pick<
  AuthServiceDeps,
  | "prisma"
  | "hasher"
  | "tokens"
  | "rateLimiter"
  | "limits"
  | "onRateLimited"
  | "refreshTokenTtlSeconds"
  | "deviceTokens"
>;

const invalidCredentials = () => new AppError("INVALID_CREDENTIALS", "Invalid email or password");

/**
 * A new sign-in for a password account, within the failed-login limits.
 *
 * Two kinds of attempt (OWASP device cookies): one carrying a valid device token for this account comes from a
 * device where the owner signed in before, and is counted against that device alone (`loginPerDevice`: a device
 * token that keeps failing is locked itself); any other is a stranger's, counted per account and address, per
 * address and per account. Strangers' guesses can then lock the account for strangers only.
 */
export async function login(deps: LoginDeps, body: LoginBody, origin: RequestOrigin): Promise<Session> {
  const { prisma, hasher, rateLimiter, limits } = deps;
  const device = body.deviceToken === undefined ? undefined : deps.deviceTokens.verify(body.deviceToken);
  // Refuse at once, before any database work, when even the best lane this attempt could get is full.
  hasher.assertRoom({ client: origin.client, signal: origin.signal, lane: device ? "trusted" : "clean" });

  // A device token counts only for the account it was issued to (checked before any limit is charged).
  let user = device ? await prisma.user.findUnique({ where: { email: body.email } }) : undefined;
  const trusted = device !== undefined && user?.id === device.userId;
  // The attempt takes its place in every limit before any password is compared (one statement, so
  // concurrent guesses cannot overtake a limit). Counters the caller charges to itself come first and
  // the account's own ceiling, which its owner also needs, last: see RateLimiter.reserve.
  const checks: RateLimitCheck[] = trusted
    ? [{ rule: limits.loginPerDevice, subject: device.deviceId }]
    : [
        { rule: limits.loginPerAccountAndAddress, subject: `${body.email} ${origin.client}` },
        { rule: limits.loginPerAddress, subject: origin.client },
        { rule: limits.loginPerAccount, subject: body.email },
      ];
  const reservation = await rateLimiter.reserve(checks);
  if (!reservation.admitted) {
    origin.log.warn(
      {
        reason: "rate_limited",
        limit: reservation.refusedBy.name,
        route: origin.route,
        ip: origin.ip,
        ...(trusted && { device: device.deviceId }),
      },
      "login refused: too many failures",
    );
    deps.onRateLimited?.(reservation.refusedBy.name);
    throw rateLimited(reservation.retryAfterSeconds);
  }
  const failed = (reason: string) => {
    origin.log.warn(
      { reason, route: origin.route, ip: origin.ip, ...(trusted && { device: device.deviceId }) },
      "authentication failed",
    );
    return invalidCredentials();
  };
  // bcrypt would compare only the first 72 bytes: such a password is never the account's (registration
  // refuses it), and a wrong one counts like any other, without spending a hash on it.
  if (exceedsBcryptLimit(body.password)) throw failed("password_too_long");

  user ??= await prisma.user.findUnique({ where: { email: body.email } });
  // The hashing queue serves the owner's device first, then clients with no failure in the window (this
  // attempt is the only one their address counter holds), then the rest: see HashLane.
  const lane: HashLane = trusted ? "trusted" : reservation.counts[1] === 1 ? "clean" : "rest";
  let ok: boolean;
  try {
    // Always one bcrypt comparison, so an unknown email answers in the time a wrong password takes.
    ok = await hasher.verify(body.password, user?.passwordHash, { client: origin.client, signal: origin.signal, lane });
  } catch (err) {
    // No password was compared (hash queue full, or the request ended first): not a failed login.
    await rateLimiter.refund(reservation).catch(() => undefined);
    throw err;
  }
  if (!user || !ok) throw failed(user ? "wrong_password" : "unknown_email");

  // The limits count failures: a successful login gives its place back.
  await rateLimiter.refund(reservation);
  const signIn = newSignIn(deps);
  await prisma.session.create({ data: { ...signIn.data, userId: user.id } });
  return {
    ...sessionBody(deps, toUserDto(user), signIn.sessionId, signIn.refreshToken),
    deviceToken: deps.deviceTokens.issue(user.id),
  };
}
