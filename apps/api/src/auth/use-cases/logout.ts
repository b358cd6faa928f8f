import { hashRefreshToken } from "../refresh-tokens.js";
import type { AuthServiceDeps } from "./deps.js";
import { endSignIn } from "./sign-in.js";

/** Ends the refresh token's sign-in. Idempotent: unknown or already-ended tokens are fine. */
export async function logout(
  deps: Pick<AuthServiceDeps, "prisma" | "revocations">,
  refreshToken: string,
): Promise<void> {
  const known = await deps.prisma.refreshToken.findUnique({
    where: { tokenHash: hashRefreshToken(refreshToken) },
    select: { signInId: true },
  });
  if (known) await endSignIn(deps, known.signInId, "logout");
}
