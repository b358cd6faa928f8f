import type { RateLimitRule } from "../auth/rate-limiter.js";
import type { AuthServiceDeps } from "../auth/use-cases/deps.js";
import type { BackgroundJobs } from "../lib/background.js";
import type { Mailer } from "../mail/mailer.js";

export interface AccountLimits {
  /** Reset requests per client address (429 beyond). */
  resetRequestPerAddress: RateLimitRule;
  /** Reset mails per account (further requests: 202, no mail). */
  resetMailPerAccount: RateLimitRule;
  /** Reset confirmations per client address (429 beyond). */
  resetConfirmPerAddress: RateLimitRule;
}

/** What the account use cases run on: the auth dependencies, mail, and their own limits. */
export interface AccountServiceDeps extends AuthServiceDeps {
  mailer: Mailer;
  background: BackgroundJobs;
  accountLimits: AccountLimits;
  /** The web app's origin: reset links are `${appUrl}/reset-password?token=…`. */
  appUrl: string;
  passwordResetTtlSeconds: number;
  /** Told when an account is gone, so per-process caches (external identities) forget it. */
  onAccountDeleted?: (userId: string) => void;
}
