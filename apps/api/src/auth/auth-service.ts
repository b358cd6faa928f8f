import { randomUUID } from "node:crypto";
import type { LoginBody, RegisterBody, Session, User } from "@todo/contract";
import type { Logger } from "pino";
import { AppError } from "../errors/app-error.js";
import { Prisma, type PrismaClient, type User as UserRow } from "../generated/prisma/client.js";
import type { AccessTokens } from "./access-tokens.js";
import { exceedsBcryptLimit, type PasswordHasher } from "./passwords.js";
import type { RateLimiter, RateLimitRule } from "./rate-limiter.js";
import { rotateRefreshToken } from "./refresh-rotation.js";
import { hashRefreshToken, newRefreshToken } from "./refresh-tokens.js";
import type { SessionRevocations } from "./session-revocations.js";

export interface AuthLimits {
  /** Failed logins for one account from one address: the tight limit. */
  loginPerAccountAndAddress: RateLimitRule;
  /** Failed logins from one address, whatever the account. */
  loginPerAddress: RateLimitRule;
  /** Failed logins for one account from all addresses: a ceiling well above the tight limit. */
  loginPerAccount: RateLimitRule;
  registerPerAddress: RateLimitRule;
  refreshPerAddress: RateLimitRule;
}

export interface AuthServiceDeps {
  prisma: PrismaClient;
  hasher: PasswordHasher;
  tokens: AccessTokens;
  revocations: SessionRevocations;
  rateLimiter: RateLimiter;
  limits: AuthLimits;
  /** Told the name of each limit that refused a request (the metrics counter). */
  onRateLimited?: (limit: string) => void;
  refreshTokenTtlSeconds: number;
  /** How long after its rotation a retired refresh token still gets a new pair (a retry, two tabs). */
  refreshReuseGraceSeconds: number;
}

/** Where a request came from, for rate limits and security logs. */
export interface RequestOrigin {
  ip: string;
  route: string;
  /** The request's logger, carrying its request id. */
  log: Logger;
  /** Aborts when the request has ended (answered, timed out or abandoned): work queued for it is dropped. */
  signal?: AbortSignal;
}

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

const invalidCredentials = () => new AppError("INVALID_CREDENTIALS", "Invalid email or password");
const invalidRefreshToken = () => new AppError("UNAUTHORIZED", "Invalid or expired refresh token");
const rateLimited = (retryAfterSeconds: number) =>
  new AppError("RATE_LIMITED", "Too many attempts; try again later", [], {
    "Retry-After": String(retryAfterSeconds),
  });

const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";

export function createAuthService(deps: AuthServiceDeps) {
  const { prisma, hasher, tokens, revocations, rateLimiter, limits } = deps;
  const onRateLimited = deps.onRateLimited ?? (() => {});

  /** A new sign-in: a session row with its first refresh token, created together with (or for) the user. */
  function newSignIn() {
    const sessionId = randomUUID();
    const refresh = newRefreshToken();
    const expiresAt = new Date(Date.now() + deps.refreshTokenTtlSeconds * 1000);
    const data = { id: sessionId, expiresAt, refreshTokens: { create: { tokenHash: refresh.hash, expiresAt } } };
    return { sessionId, refreshToken: refresh.token, data };
  }

  function sessionBody(user: User, sessionId: string, refreshToken: string): Session {
    return {
      user,
      accessToken: tokens.sign({ userId: user.id, email: user.email, sessionId }),
      refreshToken,
      tokenType: "Bearer",
      expiresIn: tokens.ttlSeconds,
    };
  }

  async function enforce(rule: RateLimitRule, subject: string, origin: RequestOrigin): Promise<void> {
    const state = await rateLimiter.hit(rule, subject);
    if (state.count > rule.limit) {
      origin.log.warn(
        { reason: "rate_limited", limit: rule.name, route: origin.route, ip: origin.ip },
        "auth rate limit hit",
      );
      onRateLimited(rule.name);
      throw rateLimited(state.retryAfterSeconds);
    }
  }

  async function revokeSession(sessionId: string, reason: "logout" | "refresh_token_reuse"): Promise<boolean> {
    // Stamped by the database's clock, the one revocation sync reads (see SessionRevocations).
    const revoked = await prisma.$executeRaw`
      UPDATE sessions SET revoked_at = now(), revoked_reason = ${reason}
      WHERE id = ${sessionId}::uuid AND revoked_at IS NULL`;
    revocations.markRevoked(sessionId);
    return revoked > 0;
  }

  return {
    async register(body: RegisterBody, origin: RequestOrigin): Promise<Session> {
      const requester = { client: origin.ip, signal: origin.signal };
      hasher.assertRoom(requester);
      await enforce(limits.registerPerAddress, origin.ip, origin);
      const passwordHash = await hasher.hash(body.password, requester);
      const signIn = newSignIn();
      try {
        const row = await prisma.user.create({
          data: { id: randomUUID(), email: body.email, passwordHash, sessions: { create: signIn.data } },
        });
        return sessionBody(toUserDto(row), signIn.sessionId, signIn.refreshToken);
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError("EMAIL_TAKEN", "An account with this email already exists");
        throw err;
      }
    },

    async login(body: LoginBody, origin: RequestOrigin): Promise<Session> {
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
        onRateLimited(reservation.refusedBy.name);
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
      const signIn = newSignIn();
      await prisma.session.create({ data: { ...signIn.data, userId: user.id } });
      return sessionBody(toUserDto(user), signIn.sessionId, signIn.refreshToken);
    },

    async refresh(refreshToken: string, origin: RequestOrigin): Promise<Session> {
      await enforce(limits.refreshPerAddress, origin.ip, origin);
      const presentedHash = hashRefreshToken(refreshToken);
      const graceSeconds = deps.refreshReuseGraceSeconds;
      const next = newRefreshToken();
      const rotated = await rotateRefreshToken(prisma, presentedHash, next.hash, graceSeconds);
      if (rotated) return sessionBody(toUserDto(rotated.user), rotated.sessionId, next.token);

      const known = await prisma.refreshToken.findUnique({
        where: { tokenHash: presentedHash },
        select: { sessionId: true, usedAt: true },
      });
      if (known?.usedAt) {
        // A retired token came back after its grace: someone holds a copy. End the whole sign-in.
        await revokeSession(known.sessionId, "refresh_token_reuse");
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
    },

    /** Ends the refresh token's sign-in. Idempotent: unknown or already-ended tokens are fine. */
    async logout(refreshToken: string): Promise<void> {
      const known = await prisma.refreshToken.findUnique({
        where: { tokenHash: hashRefreshToken(refreshToken) },
        select: { sessionId: true },
      });
      if (known) await revokeSession(known.sessionId, "logout");
    },

    async me(userId: string): Promise<User> {
      const row = await prisma.user.findUnique({ where: { id: userId } });
      if (!row) throw new AppError("UNAUTHORIZED", "Unknown user");
      return toUserDto(row);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
