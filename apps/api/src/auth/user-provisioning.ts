import { EmailSchema } from "@todo/contract";
import type { PrismaClient } from "../generated/prisma/client.js";

const KNOWN_CACHE_LIMIT = 10_000;

export type ProvisioningOutcome = "ok" | "password_account";

/**
 * Records external identities (users of a Better Auth frontend) on first use, under their token's `sub`.
 * They never touch a password account: their email is their own attribute (`external_email`, kept only
 * when the provider says it is verified, following the latest token), it reserves no address here, and a
 * `sub` that is a password account's id is refused. A small in-process cache (id → email last stored)
 * keeps this off the hot path until the token's email changes.
 */
export class UserProvisioning {
  private readonly known = new Map<string, string | null>();

  constructor(private readonly prisma: PrismaClient) {}

  async ensureExternalUser(userId: string, verifiedEmail: string | undefined): Promise<ProvisioningOutcome> {
    const parsed = verifiedEmail === undefined ? undefined : EmailSchema.safeParse(verifiedEmail);
    const email = parsed?.success ? parsed.data : null;
    if (this.known.get(userId) === email) return "ok";
    // One statement: concurrent first uses of the same id meet in ON CONFLICT (no unique violation), and a
    // password account's row is left alone (the WHERE of DO UPDATE), which an empty RETURNING tells.
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO users (id, external_email, created_at, updated_at) VALUES (${userId}, ${email}, now(), now())
      ON CONFLICT (id) DO UPDATE SET
        external_email = EXCLUDED.external_email,
        updated_at = CASE WHEN users.external_email IS DISTINCT FROM EXCLUDED.external_email
          THEN now() ELSE users.updated_at END
      WHERE users.password_hash IS NULL
      RETURNING id`;
    if (rows.length === 0) return "password_account";
    this.remember(userId, email);
    return "ok";
  }

  /** Forgets a deleted account, so its next token records it anew rather than finding it known. */
  forget(userId: string): void {
    this.known.delete(userId);
  }

  private remember(userId: string, email: string | null): void {
    if (this.known.size >= KNOWN_CACHE_LIMIT) this.known.clear();
    this.known.set(userId, email);
  }
}
