/**
 * Reads the claims of one of the API's access tokens without verifying it: the API verifies every token it is
 * sent. The web server only needs to know whose token it holds (for `{userId}` paths and the header) and when
 * it expires (to renew it ahead of time). Nothing here grants access.
 */
export interface AccessClaims {
  sub: string;
  email: string | null;
  /** Seconds since the epoch. */
  exp: number;
  iat: number | null;
}

export function readAccessClaims(accessToken: string): AccessClaims | null {
  const payload = accessToken.split(".")[1];
  if (!payload) return null;
  try {
    const json = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    if (typeof json.sub !== "string" || typeof json.exp !== "number") return null;
    return {
      sub: json.sub,
      email: typeof json.email === "string" ? json.email : null,
      exp: json.exp,
      iat: typeof json.iat === "number" ? json.iat : null,
    };
  } catch {
    return null;
  }
}

/**
 * Whether to renew before using the token: when it has expired or is about to. The margin is a minute for
 * the usual long-lived tokens and half the lifetime for very short ones, so a request started now still
 * reaches the API with a valid token.
 */
export function needsRenewal(accessToken: string, nowMs: number = Date.now()): boolean {
  const claims = readAccessClaims(accessToken);
  if (!claims) return true;
  const lifetime = claims.iat === null ? 120 : Math.max(claims.exp - claims.iat, 0);
  const margin = Math.min(60, lifetime / 2);
  return nowMs / 1000 >= claims.exp - margin;
}
