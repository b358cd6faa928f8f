import { randomUUID } from "node:crypto";
import type { LoginBody, RegisterBody, Session, User } from "@todo/contract";
import type { Logger } from "pino";
import { AppError } from "../errors/app-error.js";
import { Prisma, type PrismaClient, type User as UserRow } from "../generated/prisma/client.js";
import type { AccessTokens } from "./access-tokens.js";
import type { PasswordHasher } from "./passwords.js";
import type { RateLimiter, RateLimitRule } from "./rate-limiter.js";
import { rotateRefreshToken } from "./refresh-rotation.js";
import { hashRefreshToken, newRefreshToken } from "./refresh-tokens.js";
import type { SessionRevocations } from "./session-revocations.js";

export interface AuthLimits {
  loginPerAccount: RateLimitRule;
  loginPerAddress: RateLimitRule;
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
  refreshTokenTtlSeconds: number;
}

/** Where a request came from, for rate limits and security logs. */
export interface RequestOrigin {
  ip: string;
  route: string;
  /** The request's logger, carrying its request id. */
  log: Logger;
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
      await enforce(limits.registerPerAddress, origin.ip, origin);
      const passwordHash = await hasher.hash(body.password);
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
      const account = { rule: limits.loginPerAccount, subject: body.email };
      const address = { rule: limits.loginPerAddress, subject: origin.ip };
      const [accountState, addressState] = await rateLimiter.peek([account, address]);
      const blocked = [
        { rule: account.rule, state: accountState },
        { rule: address.rule, state: addressState },
      ].filter(({ rule, state }) => state && state.count >= rule.limit);
      if (blocked.length > 0) {
        origin.log.warn(
          { reason: "rate_limited", limit: blocked.map((b) => b.rule.name), route: origin.route, ip: origin.ip },
          "login refused: too many failures",
        );
        throw rateLimited(Math.max(...blocked.map((b) => b.state?.retryAfterSeconds ?? 1)));
      }

      const user = await prisma.user.findUnique({ where: { email: body.email } });
      // Always one bcrypt comparison, so an unknown email answers in the time a wrong password takes.
      const ok = await hasher.verify(body.password, user?.passwordHash);
      if (!user || !ok) {
        await Promise.all([
          rateLimiter.hit(account.rule, account.subject),
          rateLimiter.hit(address.rule, address.subject),
        ]);
        origin.log.warn(
          { reason: user ? "wrong_password" : "unknown_email", route: origin.route, ip: origin.ip },
          "authentication failed",
        );
        throw invalidCredentials();
      }

      const signIn = newSignIn();
      await prisma.session.create({ data: { ...signIn.data, userId: user.id } });
      return sessionBody(toUserDto(user), signIn.sessionId, signIn.refreshToken);
    },

    async refresh(refreshToken: string, origin: RequestOrigin): Promise<Session> {
      await enforce(limits.refreshPerAddress, origin.ip, origin);
      const presentedHash = hashRefreshToken(refreshToken);
      const next = newRefreshToken();
      const rotated = await rotateRefreshToken(prisma, presentedHash, next.hash);
      if (rotated) return sessionBody(toUserDto(rotated.user), rotated.sessionId, next.token);

      const known = await prisma.refreshToken.findUnique({
        where: { tokenHash: presentedHash },
        select: { sessionId: true, usedAt: true },
      });
      if (known?.usedAt) {
        // A retired token came back: someone holds a copy. End the whole sign-in it descends from.
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
