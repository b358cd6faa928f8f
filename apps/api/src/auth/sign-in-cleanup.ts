import type { PrismaClient } from "../generated/prisma/client.js";

/**
 * Deletes sign-ins that ended long enough ago that nothing can depend on them any more: they expired (so
 * no refresh), and no access token minted from them can still be unexpired — which also keeps every
 * revocation younger than one access-token lifetime, as new processes need to load them at start-up.
 * Their refresh tokens go with them (ON DELETE CASCADE).
 */
export function purgeEndedSignIns(prisma: PrismaClient, accessTokenTtlSeconds: number): Promise<number> {
  return prisma.$executeRaw`
    DELETE FROM sign_ins
    WHERE GREATEST(expires_at, COALESCE(revoked_at, expires_at)) < now() - make_interval(secs => ${accessTokenTtlSeconds})`;
}
