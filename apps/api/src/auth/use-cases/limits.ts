import { AppError } from "../../errors/app-error.js";
import type { RateLimitRule } from "../rate-limiter.js";
import type { AuthServiceDeps, RequestOrigin } from "./deps.js";

export const rateLimited = (retryAfterSeconds: number) =>
  new AppError("RATE_LIMITED", "Too many attempts; try again later", [], {
    "Retry-After": String(retryAfterSeconds),
  });

/**
 * Counts a request against `rule` for `subject`; past the limit: logged, reported, refused with 429. Returns
 * the count, this request included.
 */
export async function enforce(
  deps: Pick<AuthServiceDeps, "rateLimiter" | "onRateLimited">,
  rule: RateLimitRule,
  subject: string,
  origin: RequestOrigin,
): Promise<number> {
  const state = await deps.rateLimiter.hit(rule, subject);
  if (state.count > rule.limit) {
    origin.log.warn(
      { reason: "rate_limited", limit: rule.name, route: origin.route, ip: origin.ip },
      "auth rate limit hit",
    );
    deps.onRateLimited?.(rule.name);
    throw rateLimited(state.retryAfterSeconds);
  }
  return state.count;
}
