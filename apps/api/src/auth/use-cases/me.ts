import type { User } from "@todo/contract";
import { AppError } from "../../errors/app-error.js";
import type { AuthServiceDeps } from "./deps.js";
import { toUserDto } from "./sign-in.js";

/** The signed-in user's account. */
export async function me(deps: Pick<AuthServiceDeps, "prisma">, userId: string): Promise<User> {
  const row = await deps.prisma.user.findUnique({ where: { id: userId } });
  if (!row) throw new AppError("UNAUTHORIZED", "Unknown user");
  return toUserDto(row);
}
