import type { PrismaClient } from "../generated/prisma/client.js";
import { isUuid } from "../lib/uuid.js";

const CONFIRMED_CACHE_LIMIT = 10_000;

/**
 * Whether the `sid` of one of the API's own tokens names a sign-in of that token's user. Looked up once per
 * sign-in and process, then remembered: ending a sign-in is SignInRevocations' business, not this cache's.
 */
export class SignIns {
  private readonly confirmed = new Map<string, string>();

  constructor(private readonly prisma: PrismaClient) {}

  async belongsTo(signInId: string, userId: string): Promise<boolean> {
    const owner = this.confirmed.get(signInId);
    if (owner !== undefined) return owner === userId;
    if (!isUuid(signInId)) return false;
    const [row] = await this.prisma.$queryRaw<{ user_id: string }[]>`
      SELECT user_id FROM sign_ins WHERE id = ${signInId}::uuid AND revoked_at IS NULL`;
    if (!row) return false;
    if (this.confirmed.size >= CONFIRMED_CACHE_LIMIT) this.confirmed.clear();
    this.confirmed.set(signInId, row.user_id);
    return row.user_id === userId;
  }
}
