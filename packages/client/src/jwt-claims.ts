/** The claims the client reads from an access token. It never verifies them: the server does. */
export interface AccessTokenClaims {
  sub?: string;
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
      ...(typeof claims.exp === "number" && { exp: claims.exp }),
      ...(typeof claims.iat === "number" && { iat: claims.iat }),
    };
  } catch {
    return null;
  }
}
