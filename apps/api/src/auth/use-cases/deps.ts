import type { Logger } from "pino";
import type { PrismaClient } from "../../generated/prisma/client.js";
import type { AccessTokens } from "../access-tokens.js";
import type { DeviceTokens } from "../device-tokens.js";
import type { PasswordHasher } from "../passwords.js";
import type { RateLimiter, RateLimitRule } from "../rate-limiter.js";
import type { SessionRevocations } from "../session-revocations.js";

export interface AuthLimits {
  /** Failed logins for one account from one address: the tight limit. */
  loginPerAccountAndAddress: RateLimitRule;
  /** Failed logins from one address, whatever the account. */
  loginPerAddress: RateLimitRule;
  /** Failed logins for one account from all addresses: a ceiling well above the tight limit. */
  loginPerAccount: RateLimitRule;
  /** Failed logins carrying one valid device token for the account: instead of the three above. */
  loginPerDevice: RateLimitRule;
  registerPerAddress: RateLimitRule;
  refreshPerAddress: RateLimitRule;
}

/** Everything the auth use cases run on; each takes the part it needs. */
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
  /** How many times a retired refresh token is answered within its grace; one more is theft. */
  refreshReuseGraceMaxReplays: number;
  /** Issues and checks the device tokens of successful sign-ins (OWASP device cookies). */
  deviceTokens: DeviceTokens;
  /** Derives each refresh token's one successor (see successorRefreshToken). */
  refreshSuccessorKey: Buffer;
}

/** Where a request came from, for rate limits and security logs. */
export interface RequestOrigin {
  /** The client's address (validated: see http/client-address.ts), for logs. */
  ip: string;
  /**
   * The client as per-address limits and the hashing queue's fair shares count it: its address grouped (an IPv6
   * /64 is one client, IPv4-mapped IPv6 is IPv4). Use this, never `ip`, as the subject of a per-address limit.
   */
  client: string;
  route: string;
  /** The request's logger, carrying its request id. */
  log: Logger;
  /** Aborts when the request has ended (answered, timed out or abandoned): work queued for it is dropped. */
  signal?: AbortSignal;
}
