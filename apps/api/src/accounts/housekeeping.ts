import type { PrismaClient } from "../generated/prisma/client.js";

/**
 * Deletes what recovery leaves behind once nothing can depend on it: reset tokens a day past their expiry,
 * and tombstones of deleted accounts' sign-ins older than an access token's lifetime (no token of them can
 * still be unexpired, and new processes only load revocations that young).
 */
export async function purgeAccountLeftovers(prisma: PrismaClient, accessTokenTtlSeconds: number): Promise<void> {
  await prisma.$executeRaw`DELETE FROM password_reset_tokens WHERE expires_at < now() - interval '1 day'`;
  await prisma.$executeRaw`
    DELETE FROM sign_in_tombstones WHERE revoked_at < now() - make_interval(secs => ${accessTokenTtlSeconds})`;
}
