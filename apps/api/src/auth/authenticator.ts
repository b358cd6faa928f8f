import type { Logger } from "pino";
import { AppError } from "../errors/app-error.js";
import type { SignInRevocations } from "./sign-in-revocations.js";
import type { SignIns } from "./sign-ins.js";
import {
  KeySetUnavailableError,
  TokenRejectedError,
  type TokenRejection,
  type TokenVerifier,
  type VerifiedToken,
} from "./token-verifier.js";
import type { UserProvisioning } from "./user-provisioning.js";

/** The caller, as handlers see it once the Bearer token has been verified. */
export interface AuthUser {
  id: string;
  signInId: string | undefined;
}

/** What authentication needs to know about a request besides its Authorization header (for the WARN log). */
export interface AuthRequestContext {
  /** e.g. `GET /api/v1/:userId/tasks` */
  readonly route: string;
  readonly ip: string | undefined;
  /** The request's own logger (with its request id), if it has one. */
  log?: Logger;
}

export type AuthFailure =
  | TokenRejection
  | "missing_token"
  | "malformed_authorization_header"
  | "sign_in_revoked"
  | "sign_in_unknown"
  | "password_account";

const REALM = 'Bearer realm="todo-api"';

/** RFC 6750 §3: no error attribute when no credentials were sent; `invalid_token` otherwise. */
function unauthorized(failure: AuthFailure): AppError {
  const header =
    failure === "missing_token"
      ? REALM
      : `${REALM}, error="invalid_token", error_description="The access token is invalid, expired or revoked"`;
  const message = failure === "missing_token" ? "Authentication required" : "Invalid, expired or revoked access token";
  return new AppError("UNAUTHORIZED", message, [], { "WWW-Authenticate": header });
}

// RFC 6750 §2.1: b64token characters only.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

const keySetUnavailable = (retryAfterSeconds: number): AppError =>
  new AppError("SERVICE_UNAVAILABLE", "The identity provider's keys are unavailable; try again shortly", [], {
    "Retry-After": String(retryAfterSeconds),
  });

export interface AuthenticatorDeps {
  verifier: TokenVerifier;
  revocations: SignInRevocations;
  signIns: SignIns;
  provisioning: UserProvisioning;
  logger: Logger;
  /** Told every failure's reason (the metrics counter); the domain knows no metrics library. */
  onFailure?: (reason: AuthFailure | "key_set_unavailable") => void;
}

export class Authenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

  /** Verifies the Authorization header's Bearer token; throws a 401 AppError (with WWW-Authenticate) otherwise. */
  async authenticate(header: string | undefined, req: AuthRequestContext): Promise<AuthUser> {
    if (!header) throw this.fail(req, "missing_token");
    const match = BEARER.exec(header);
    if (!match?.[1]) throw this.fail(req, "malformed_authorization_header");

    let verified: VerifiedToken;
    try {
      verified = await this.deps.verifier.verify(match[1]);
    } catch (err) {
      if (err instanceof TokenRejectedError) throw this.fail(req, err.reason);
      if (err instanceof KeySetUnavailableError) {
        (req.log ?? this.deps.logger).warn(
          {
            reason: "key_set_unavailable",
            route: req.route,
            ip: req.ip,
            err: { message: err.cause instanceof Error ? err.cause.message : String(err.cause) },
          },
          "identity provider key set unavailable: token with an unknown key answered 503",
        );
        this.deps.onFailure?.("key_set_unavailable");
        throw keySetUnavailable(err.retryAfterSeconds);
      }
      throw err;
    }
    if (verified.kind === "own") {
      if (this.deps.revocations.isRevoked(verified.signInId)) throw this.fail(req, "sign_in_revoked");
      if (!(await this.deps.signIns.belongsTo(verified.signInId, verified.userId))) {
        throw this.fail(req, "sign_in_unknown");
      }
      return { id: verified.userId, signInId: verified.signInId };
    }
    const outcome = await this.deps.provisioning.ensureExternalUser(verified.userId, verified.verifiedEmail);
    if (outcome === "password_account") throw this.fail(req, "password_account");
    return { id: verified.userId, signInId: undefined };
  }

  private fail(req: AuthRequestContext, reason: AuthFailure): AppError {
    (req.log ?? this.deps.logger).warn({ reason, route: req.route, ip: req.ip }, "authentication failed");
    this.deps.onFailure?.(reason);
    return unauthorized(reason);
  }
}
