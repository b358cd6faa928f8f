import { z } from "zod";

/**
 * Strings must not contain NUL characters. PostgreSQL cannot store U+0000 in text, and bcrypt stops reading at it,
 * so such input is refused up front (422) instead of failing in the database or weakening a password.
 */
export const hasNoNul = (s: string): boolean => !s.includes("\u0000");
export const NO_NUL_MESSAGE = { message: "Must not contain NUL characters" } as const;

/** ISO 8601 timestamp with offset, as every timestamp in a response is serialised. */
export const TimestampSchema = z.string().datetime({ offset: true });

/**
 * Owner id in task paths. The API's own ids are UUIDs, but ids minted by another issuer of the shared
 * secret (e.g. Better Auth) are not, so any string is accepted here; one that is not the caller's is 403.
 */
export const UserIdParamSchema = z.string();

/**
 * Whether a route needs an access token: routes say so with `metadata: { auth: "bearer" }`. The server
 * authenticates, the client attaches and renews tokens, and the OpenAPI document requires `bearerAuth` by it.
 */
export const requiresBearerToken = (route: { metadata?: unknown }): boolean =>
  (route.metadata as { auth?: unknown } | undefined)?.auth === "bearer";
