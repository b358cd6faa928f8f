import { createSecretKey, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";

const ALGORITHM = "HS256";
/** The API's own tokens say who issued them and for whom, so no other issuer's token passes for one (RFC 8725 §3.8, §3.9). */
export const OWN_TOKEN_ISSUER = "todo-api";
export const OWN_TOKEN_AUDIENCE = "todo-api";

/** The API's own HS256 access tokens (RFC 7519); token-verifier.ts verifies them. */
export class AccessTokens {
  private readonly key: KeyObject;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = createSecretKey(Buffer.from(secret, "utf8"));
  }

  sign(claims: { userId: string; email: string | null; signInId: string }): string {
    return jwt.sign({ email: claims.email ?? undefined, sid: claims.signInId }, this.key, {
      algorithm: ALGORITHM,
      subject: claims.userId,
      issuer: OWN_TOKEN_ISSUER,
      audience: OWN_TOKEN_AUDIENCE,
      expiresIn: this.ttlSeconds,
    });
  }
}
