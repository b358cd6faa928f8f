import { createHash, createHmac, randomBytes } from "node:crypto";

/** 256 random bits, base64url: opaque to clients, never stored in the clear. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashRefreshToken(token) };
}

/** SHA-256 is enough here: the input already carries 256 bits of entropy, so there is nothing to brute-force. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * The one successor of a refresh token: an HMAC of it under a server key (see deriveKey). Every presentation of
 * a token within its reuse grace (two tabs, a retry) gets this same successor, so a sign-in stays one chain of
 * tokens and never forks into independent ones; a copy held by someone else keeps colliding with the owner's
 * and is caught as reuse. Without the key it is as unpredictable as a random token (256 bits).
 */
export function successorRefreshToken(key: Buffer, presented: string): { token: string; hash: string } {
  const token = createHmac("sha256", key).update(presented, "utf8").digest("base64url");
  return { token, hash: hashRefreshToken(token) };
}
