import { z } from "zod/v3";

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
