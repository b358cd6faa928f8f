import { randomUUID } from "node:crypto";
import type { RegisterBody, SessionTokens } from "@todo/contract";
import { AppError } from "../../errors/app-error.js";
import { Prisma } from "../../generated/prisma/client.js";
import type { AuthServiceDeps, RequestOrigin } from "./deps.js";
import { enforce } from "./limits.js";
import { newSignIn, sessionTokens, toUserDto } from "./sign-in.js";

export type RegisterDeps = Pick<
  AuthServiceDeps,
  "prisma" | "hasher" | "tokens" | "rateLimiter" | "limits" | "onRateLimited" | "refreshTokenTtlSeconds"
>;

const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";

/** A new password account, signed in: the user and its first sign-in are created in one statement. */
export async function register(deps: RegisterDeps, body: RegisterBody, origin: RequestOrigin): Promise<SessionTokens> {
  const requester = { client: origin.ip, signal: origin.signal };
  deps.hasher.assertRoom(requester);
  await enforce(deps, deps.limits.registerPerAddress, origin.ip, origin);
  const passwordHash = await deps.hasher.hash(body.password, requester);
  const signIn = newSignIn(deps, origin);
  try {
    const row = await deps.prisma.user.create({
      data: { id: randomUUID(), email: body.email, passwordHash, signIns: { create: signIn.data } },
    });
    return sessionTokens(deps, toUserDto(row), signIn.signInId, signIn.refreshToken);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("EMAIL_TAKEN", "An account with this email already exists");
    throw err;
  }
}
