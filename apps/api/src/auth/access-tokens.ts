import { createSecretKey, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";

/** Why a presented access token was refused; logged, never sent beyond a generic description. */
export type TokenRejection =
  | "malformed_token"
  | "invalid_signature"
  | "wrong_algorithm"
  | "expired"
  | "not_yet_valid"
  | "missing_sub"
  | "missing_exp";

export class TokenRejectedError extends Error {
  constructor(readonly reason: TokenRejection) {
    super(`access token rejected: ${reason}`);
    this.name = "TokenRejectedError";
  }
}

export interface VerifiedAccessToken {
  userId: string;
  /** Present when the issuer put a string there; not trusted for anything but first-use provisioning. */
  email: string | undefined;
  /** The sign-in this token belongs to; absent for tokens minted by another holder of the shared secret. */
  sessionId: string | undefined;
  expiresAt: number;
}

const ALGORITHM = "HS256";
/** The API's own tokens say who issued them and for whom, so no other issuer's token passes for one (RFC 8725 §3.8, §3.9). */
export const OWN_TOKEN_ISSUER = "todo-api";
export const OWN_TOKEN_AUDIENCE = "todo-api";
const MAX_SUBJECT_LENGTH = 255;

/** HS256 access tokens (RFC 7519), verified as RFC 8725 asks: algorithm pinned, required claims checked. */
export class AccessTokens {
  private readonly key: KeyObject;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    // A KeyObject, made once: given a string or Buffer, jsonwebtoken first tries to parse it as a PEM public
    // key and only then falls back to a secret, which costs ~300 µs on every verify (50× the HMAC itself).
    this.key = createSecretKey(Buffer.from(secret, "utf8"));
  }

  sign(claims: { userId: string; email: string | null; sessionId: string }): string {
    return jwt.sign({ email: claims.email ?? undefined, sid: claims.sessionId }, this.key, {
      algorithm: ALGORITHM,
      subject: claims.userId,
      issuer: OWN_TOKEN_ISSUER,
      audience: OWN_TOKEN_AUDIENCE,
      expiresIn: this.ttlSeconds,
    });
  }

  verify(token: string): VerifiedAccessToken {
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.key, { algorithms: [ALGORITHM] });
    } catch (err) {
      throw new TokenRejectedError(classify(err));
    }
    if (typeof payload !== "object" || payload === null) throw new TokenRejectedError("malformed_token");
    const { sub, exp, email, sid } = payload;
    // A sub that could not be stored as a user id (PostgreSQL text cannot hold NUL) is no identity at all.
    if (typeof sub !== "string" || sub.length === 0 || sub.length > MAX_SUBJECT_LENGTH || sub.includes("\u0000")) {
      throw new TokenRejectedError("missing_sub");
    }
    // jsonwebtoken only checks exp when present; a token without an expiry would live forever.
    if (typeof exp !== "number" || !Number.isFinite(exp)) throw new TokenRejectedError("missing_exp");
    return {
      userId: sub,
      email: typeof email === "string" ? email : undefined,
      sessionId: typeof sid === "string" ? sid : undefined,
      expiresAt: exp,
    };
  }
}

function classify(err: unknown): TokenRejection {
  if (err instanceof jwt.TokenExpiredError) return "expired";
  if (err instanceof jwt.NotBeforeError) return "not_yet_valid";
  if (err instanceof jwt.JsonWebTokenError) {
    if (err.message === "invalid signature") return "invalid_signature";
    if (err.message === "invalid algorithm" || err.message === "jwt signature is required") return "wrong_algorithm";
  }
  return "malformed_token";
}
