import { createSecretKey, type KeyObject } from "node:crypto";
import { errors as joseErrors, jwtVerify } from "jose";
import jwt from "jsonwebtoken";
import type { ExternalTokenConfig } from "../config/env.js";
import { OWN_TOKEN_AUDIENCE, OWN_TOKEN_ISSUER } from "./access-tokens.js";
import { KeySetUnavailableError, type RemoteKeySet } from "./remote-key-set.js";

/** Why a presented access token was refused; logged, never sent beyond a generic description. */
export type TokenRejection =
  | "malformed_token"
  | "invalid_signature"
  | "wrong_algorithm"
  | "unsupported_critical_header"
  | "unknown_key"
  | "expired"
  | "not_yet_valid"
  | "issued_in_future"
  | "wrong_issuer"
  | "wrong_audience"
  | "missing_sub"
  | "missing_exp"
  | "missing_sid";

export class TokenRejectedError extends Error {
  constructor(readonly reason: TokenRejection) {
    super(`access token rejected: ${reason}`);
    this.name = "TokenRejectedError";
  }
}

export { KeySetUnavailableError };

/** An access token the API issued itself, for one of its sign-ins. */
export interface OwnToken {
  kind: "own";
  userId: string;
  signInId: string;
  expiresAt: number;
}

/** A token from an external identity provider (a Better Auth frontend). */
export interface ExternalToken {
  kind: "external";
  userId: string;
  /** The token's email when the provider says it is verified; otherwise undefined. */
  verifiedEmail: string | undefined;
  expiresAt: number;
}

export type VerifiedToken = OwnToken | ExternalToken;

/** What Better Auth's JWT plugin can sign with; HS256 only through the shared secret. */
export const JWKS_ALGORITHMS = ["EdDSA", "ES256", "ES512", "RS256", "PS256"] as const;
const SECRET_ALGORITHM = "HS256";
/** Clock skew allowed for `iat` (RFC 8725 §3.10 leaves it to the application). */
const MAX_IAT_SKEW_SECONDS = 60;
const MAX_SUBJECT_LENGTH = 255;
/** HS256 tokens whose signature and claims passed, kept by their exact text (see `TokenVerifier.verify`). */
const VERIFIED_CACHE_LIMIT = 10_000;
// A user id ends up in URL path segments and log lines: no `/`, whitespace or control characters, and no
// lone surrogate (not storable as UTF-8).
const SUBJECT_FORBIDDEN = /[/\s\p{Cc}\p{Cs}]/u;

export interface TokenVerifierOptions {
  /** The HS256 secret: the API's own tokens, and external ones from a holder of the shared secret. */
  secret: string;
  external: Pick<ExternalTokenConfig, "issuer" | "audience">;
  /** The external provider's key set (JWKS mode); unset: only HS256 tokens are accepted. */
  keySet?: RemoteKeySet;
  /** Seconds since the epoch; for tests. */
  now?: () => number;
}

/**
 * The one place access tokens are verified (RFC 7519, RFC 8725). HS256 tokens are checked with
 * jsonwebtoken (9× cheaper than jose's WebCrypto HMAC, see docs/performance.md); tokens signed with a key
 * of the external provider's JWK Set with jose. Either way the same claim rules apply afterwards, and a
 * token is the API's own exactly when it carries the API's issuer and audience, so neither kind is ever
 * accepted as the other.
 */
export class TokenVerifier {
  private readonly key: KeyObject;
  private readonly now: () => number;
  /**
   * Token text → what it verified to, and from when it is valid (its `nbf`, or its `iat` less the allowed skew):
   * HS256 only, whose key never changes while the process runs.
   */
  private readonly verified = new Map<string, { token: VerifiedToken; validFrom: number }>();

  constructor(private readonly options: TokenVerifierOptions) {
    if (options.external.issuer === OWN_TOKEN_ISSUER) {
      throw new Error(`the external issuer must differ from the API's own ("${OWN_TOKEN_ISSUER}")`);
    }
    // A KeyObject, made once: given a string, jsonwebtoken first tries to parse it as a PEM public key on
    // every verify (~300 µs).
    this.key = createSecretKey(Buffer.from(options.secret, "utf8"));
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /**
   * Throws TokenRejectedError (401) or KeySetUnavailableError (503).
   *
   * An HS256 token that passed is remembered by its exact text until it expires: a client sends the same token
   * with every request for its lifetime, and its signature and claims cannot change, so only the times are checked
   * again (expired from `exp` on, as `jwt.verify` counts it; not before `nbf`, nor its `iat` less the skew).
   * Revocation is not part of this; the authenticator checks it on every request. Tokens from the key set are not
   * kept: a key the provider withdraws must stop working.
   */
  async verify(token: string): Promise<VerifiedToken> {
    const known = this.verified.get(token);
    if (known !== undefined) {
      const now = this.now();
      if (now < known.token.expiresAt && now >= known.validFrom) return known.token;
      // Expired, or a clock set back before its nbf or iat: forgotten, and verified in full below.
      this.verified.delete(token);
    }
    const header = decodeHeader(token);
    // RFC 7515 §4.1.11: an extension the recipient does not understand makes the token invalid; the API
    // understands none.
    if (header.crit !== undefined) throw new TokenRejectedError("unsupported_critical_header");
    if (header.alg === SECRET_ALGORITHM) {
      const payload = this.verifySecret(token);
      // Frozen: every later request with this token gets this very object.
      const verified = Object.freeze(this.classify(payload, false));
      // Bounded: past the limit it starts again (a burst of sign-ins costs a verification each, nothing more).
      if (this.verified.size >= VERIFIED_CACHE_LIMIT) this.verified.clear();
      this.verified.set(token, { token: verified, validFrom: validFrom(payload) });
      return verified;
    }
    if (this.options.keySet && (JWKS_ALGORITHMS as readonly unknown[]).includes(header.alg)) {
      return this.classify(await this.verifyWithKeySet(token, this.options.keySet), true);
    }
    throw new TokenRejectedError("wrong_algorithm");
  }

  private verifySecret(token: string): Record<string, unknown> {
    try {
      const payload = jwt.verify(token, this.key, { algorithms: [SECRET_ALGORITHM], clockTimestamp: this.now() });
      if (typeof payload !== "object" || payload === null) throw new TokenRejectedError("malformed_token");
      return payload as Record<string, unknown>;
    } catch (err) {
      if (err instanceof TokenRejectedError) throw err;
      throw new TokenRejectedError(classifyJsonWebTokenError(err));
    }
  }

  private async verifyWithKeySet(token: string, keySet: RemoteKeySet): Promise<Record<string, unknown>> {
    try {
      const { payload } = await jwtVerify(token, keySet.getKey, {
        algorithms: [...JWKS_ALGORITHMS],
        currentDate: new Date(this.now() * 1000),
      });
      return payload;
    } catch (err) {
      if (err instanceof KeySetUnavailableError) throw err;
      throw new TokenRejectedError(classifyJoseError(err));
    }
  }

  /** Claim rules shared by both kinds, then what makes a token the API's own or an external one. */
  private classify(payload: Record<string, unknown>, fromKeySet: boolean): VerifiedToken {
    const { sub, exp, iat, iss, aud } = payload;
    // Neither library insists on exp: a token without one would live forever.
    if (typeof exp !== "number" || !Number.isFinite(exp)) throw new TokenRejectedError("missing_exp");
    if (iat !== undefined && (typeof iat !== "number" || !Number.isFinite(iat))) {
      throw new TokenRejectedError("malformed_token");
    }
    if (typeof iat === "number" && iat > this.now() + MAX_IAT_SKEW_SECONDS) {
      throw new TokenRejectedError("issued_in_future");
    }
    if (!isUsableSubject(sub)) throw new TokenRejectedError("missing_sub");

    if (iss === OWN_TOKEN_ISSUER && !fromKeySet) {
      if (!hasAudience(aud, OWN_TOKEN_AUDIENCE)) throw new TokenRejectedError("wrong_audience");
      const { sid } = payload;
      if (typeof sid !== "string" || sid.length === 0) throw new TokenRejectedError("missing_sid");
      return { kind: "own", userId: sub, signInId: sid, expiresAt: exp };
    }

    const { issuer, audience } = this.options.external;
    // Without a configured issuer (shared-secret mode as before) any issuer but the API's own is accepted.
    if (issuer !== undefined ? iss !== issuer : iss === OWN_TOKEN_ISSUER) {
      throw new TokenRejectedError("wrong_issuer");
    }
    if (audience !== undefined ? !hasAudience(aud, audience) : hasAudience(aud, OWN_TOKEN_AUDIENCE)) {
      throw new TokenRejectedError("wrong_audience");
    }
    return { kind: "external", userId: sub, verifiedEmail: verifiedEmail(payload), expiresAt: exp };
  }
}

function decodeHeader(token: string): Record<string, unknown> {
  const end = token.indexOf(".");
  if (end <= 0) throw new TokenRejectedError("malformed_token");
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, end), "base64url").toString("utf8"));
    if (typeof header !== "object" || header === null || Array.isArray(header)) throw new Error("not an object");
    return header as Record<string, unknown>;
  } catch {
    throw new TokenRejectedError("malformed_token");
  }
}

/** The earliest time a fresh verification would accept a token (`nbf`, and `iat` less the allowed skew). */
function validFrom({ nbf, iat }: Record<string, unknown>): number {
  return Math.max(
    typeof nbf === "number" ? nbf : Number.NEGATIVE_INFINITY,
    typeof iat === "number" ? iat - MAX_IAT_SKEW_SECONDS : Number.NEGATIVE_INFINITY,
  );
}

function isUsableSubject(sub: unknown): sub is string {
  return typeof sub === "string" && sub.length > 0 && sub.length <= MAX_SUBJECT_LENGTH && !SUBJECT_FORBIDDEN.test(sub);
}

function hasAudience(aud: unknown, expected: string): boolean {
  return aud === expected || (Array.isArray(aud) && aud.includes(expected));
}

/**
 * Better Auth's default payload is its user object, with `emailVerified`; OpenID Connect says
 * `email_verified`. An address nobody verified proves nothing and is not kept.
 */
function verifiedEmail(payload: Record<string, unknown>): string | undefined {
  const { email } = payload;
  const verified = payload.emailVerified === true || payload.email_verified === true;
  return verified && typeof email === "string" ? email : undefined;
}

function classifyJsonWebTokenError(err: unknown): TokenRejection {
  if (err instanceof jwt.TokenExpiredError) return "expired";
  if (err instanceof jwt.NotBeforeError) return "not_yet_valid";
  if (err instanceof jwt.JsonWebTokenError) {
    if (err.message === "invalid signature") return "invalid_signature";
    if (err.message === "invalid algorithm" || err.message === "jwt signature is required") return "wrong_algorithm";
  }
  return "malformed_token";
}

function classifyJoseError(err: unknown): TokenRejection {
  if (err instanceof joseErrors.JWTExpired) return "expired";
  if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === "nbf") return "not_yet_valid";
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return "invalid_signature";
  if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return "unknown_key";
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return "wrong_algorithm";
  return "malformed_token";
}
