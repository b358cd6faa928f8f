import { createHash, randomBytes } from "node:crypto";

/** 256 random bits, base64url: a bearer secret (refresh token, reset token) that is never stored in the clear. */
export function newSecretToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashSecretToken(token) };
}

/** SHA-256 is enough here: the input already carries 256 bits of entropy, so there is nothing to brute-force. */
export function hashSecretToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
