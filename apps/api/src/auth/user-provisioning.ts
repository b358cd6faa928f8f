import { EmailSchema } from "@todo/contract";
import type { PrismaClient } from "../generated/prisma/client.js";

const KNOWN_CACHE_LIMIT = 10_000;

/**
 * Records users first seen through a token minted by another holder of the shared secret (e.g. a
 * Better Auth frontend). Their id is the token's `sub`; their email is kept when it is a valid address
 * that no other account has. A small in-process cache keeps this off the hot path after first use.
 */
export class UserProvisioning {
  private readonly known = new Set<string>();

  constructor(private readonly prisma: PrismaClient) {}

  async ensureUser(userId: string, claimedEmail: string | undefined): Promise<void> {
    if (this.known.has(userId)) return;
    const parsed = claimedEmail === undefined ? undefined : EmailSchema.safeParse(claimedEmail);
    const email = parsed?.success ? parsed.data : null;
    // ON CONFLICT DO NOTHING covers both a concurrent first use (id) and an email that belongs to
    // someone else; in the latter case the user is recorded without an email.
    await this.prisma.$executeRaw`
      INSERT INTO users (id, email, created_at, updated_at) VALUES (${userId}, ${email}, now(), now())
      ON CONFLICT DO NOTHING`;
    if (email !== null) {
      await this.prisma.$executeRaw`
        INSERT INTO users (id, email, created_at, updated_at) VALUES (${userId}, NULL, now(), now())
        ON CONFLICT DO NOTHING`;
    }
    this.remember(userId);
  }

  private remember(userId: string): void {
    if (this.known.size >= KNOWN_CACHE_LIMIT) this.known.clear();
    this.known.add(userId);
  }
}
