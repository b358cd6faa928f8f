/** The claims the client reads from an access token. It never verifies them: the server does. */
export interface AccessTokenClaims {
  sub?: string;
  /** Present in this API's own access tokens. */
  email?: string;
  /** Seconds since the epoch. */
  exp?: number;
  iat?: number;
}

export function readClaims(accessToken: string): AccessTokenClaims | null {
  const payload = accessToken.split(".")[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    return {
      ...(typeof claims.sub === "string" && { sub: claims.sub }),
      ...(typeof claims.email === "string" && { email: claims.email }),
      ...(typeof claims.exp === "number" && { exp: claims.exp }),
      ...(typeof claims.iat === "number" && { iat: claims.iat }),
    };
  } catch {
    return null;
  }
}

/**
 * Whether a token with these claims is to be renewed before use at `nowSeconds` (the server's clock): when it
 * expires within `renewBeforeSeconds`, or within a tenth of its lifetime for very short-lived tokens. One rule
 * for every consumer (browser clients and the server-side renewal). A token without `exp` never expires here.
 */
export function expiresWithin(claims: AccessTokenClaims | null, nowSeconds: number, renewBeforeSeconds: number) {
  if (renewBeforeSeconds <= 0 || claims?.exp === undefined) return false;
  const lifetime = claims.iat === undefined ? Number.POSITIVE_INFINITY : claims.exp - claims.iat;
  const margin = Math.min(renewBeforeSeconds, lifetime / 10);
  return claims.exp - nowSeconds <= margin;
}
