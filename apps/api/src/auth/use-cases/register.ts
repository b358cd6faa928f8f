import { randomUUID } from "node:crypto";
import type { RegisterBody, Session } from "@todo/contract";
import { AppError } from "../../errors/app-error.js";
import { Prisma } from "../../generated/prisma/client.js";
import type { AuthServiceDeps, RequestOrigin } from "./deps.js";
import { enforce } from "./limits.js";
import { newSignIn, sessionBody, toUserDto } from "./sign-in.js";

export type RegisterDeps = Pick<
  AuthServiceDeps,
  | "prisma"
  | "hasher"
  | "tokens"
  | "rateLimiter"
  | "limits"
  | "onRateLimited"
  | "refreshTokenTtlSeconds"
  | "deviceTokens"
>;

const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";

/** A new password account, signed in: the user and its first sign-in are created in one statement. */
export async function register(deps: RegisterDeps, body: RegisterBody, origin: RequestOrigin): Promise<Session> {
  deps.hasher.assertRoom({ client: origin.client, signal: origin.signal, lane: "clean" });
  const attempts = await enforce(deps, deps.limits.registerPerAddress, origin.client, origin);
  // The first registration from an address in the window waits with the clean logins (see HashLane).
  const lane = attempts === 1 ? "clean" : "rest";
  const passwordHash = await deps.hasher.hash(body.password, { client: origin.client, signal: origin.signal, lane });
  const signIn = newSignIn(deps);
  try {
    const row = await deps.prisma.user.create({
      data: { id: randomUUID(), email: body.email, passwordHash, sessions: { create: signIn.data } },
    });
    return {
      ...sessionBody(deps, toUserDto(row), signIn.sessionId, signIn.refreshToken),
      deviceToken: deps.deviceTokens.issue(row.id),
    };
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("EMAIL_TAKEN", "An account with this email already exists");
    throw err;
  }
}
