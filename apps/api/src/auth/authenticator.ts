import type { Logger } from "pino";
import { AppError } from "../errors/app-error.js";
import { type AccessTokens, TokenRejectedError, type TokenRejection } from "./access-tokens.js";
import type { SessionRevocations } from "./session-revocations.js";
import type { UserProvisioning } from "./user-provisioning.js";

/** The caller, as handlers see it once the Bearer token has been verified. */
export interface AuthUser {
  id: string;
  sessionId: string | undefined;
}

/** What authentication needs to know about a request besides its Authorization header (for the WARN log). */
export interface AuthRequestContext {
  /** e.g. `GET /api/v1/:userId/tasks` */
  readonly route: string;
  readonly ip: string | undefined;
  /** The request's own logger (with its request id), if it has one. */
  log?: Logger;
}

type AuthFailure = TokenRejection | "missing_token" | "malformed_authorization_header" | "session_revoked";

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

export class Authenticator {
  constructor(
    private readonly tokens: AccessTokens,
    private readonly revocations: SessionRevocations,
    private readonly provisioning: UserProvisioning,
    private readonly logger: Logger,
  ) {}

  /** Verifies the Authorization header's Bearer token; throws a 401 AppError (with WWW-Authenticate) otherwise. */
  async authenticate(header: string | undefined, req: AuthRequestContext): Promise<AuthUser> {
    if (!header) throw this.fail(req, "missing_token");
    const match = BEARER.exec(header);
    if (!match?.[1]) throw this.fail(req, "malformed_authorization_header");

    let verified: ReturnType<AccessTokens["verify"]>;
    try {
      verified = this.tokens.verify(match[1]);
    } catch (err) {
      if (err instanceof TokenRejectedError) throw this.fail(req, err.reason);
      throw err;
    }
    if (verified.sessionId !== undefined) {
      if (this.revocations.isRevoked(verified.sessionId)) throw this.fail(req, "session_revoked");
    } else {
      await this.provisioning.ensureUser(verified.userId, verified.email);
    }
    return { id: verified.userId, sessionId: verified.sessionId };
  }

  private fail(req: AuthRequestContext, reason: AuthFailure): AppError {
    (req.log ?? this.logger).warn({ reason, route: req.route, ip: req.ip }, "authentication failed");
    return unauthorized(reason);
  }
}
