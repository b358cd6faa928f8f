import type { Logger } from "pino";
import type { PrismaClient } from "../../generated/prisma/client.js";
import type { AccessTokens } from "../access-tokens.js";
import type { PasswordHasher } from "../passwords.js";
import type { RateLimiter, RateLimitRule } from "../rate-limiter.js";
import type { SignInRevocations } from "../sign-in-revocations.js";

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

/** Everything the auth use cases run on; each takes the part it needs. */
export interface AuthServiceDeps {
  prisma: PrismaClient;
  hasher: PasswordHasher;
  tokens: AccessTokens;
  revocations: SignInRevocations;
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
  /** The request's `User-Agent` (cut to 512 characters), recorded on the sign-ins it creates or renews. */
  userAgent?: string;
  /** Aborts when the request has ended (answered, timed out or abandoned): work queued for it is dropped. */
  signal?: AbortSignal;
}
