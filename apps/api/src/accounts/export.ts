import { Readable } from "node:stream";
import { toUserDto } from "../auth/use-cases/sign-in.js";
import { AppError } from "../errors/app-error.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { toTaskDto } from "../tasks/task-service.js";

/** Rows read per query: big enough to keep round trips few, small enough that memory stays flat. */
export const EXPORT_BATCH_SIZE = 500;

/**
 * The account as one JSON document, `{ exportedAt, user, lists, tasks }`, produced as it is read: tasks come
 * in keyset batches (the `(user_id, created_at, id)` index) and each batch is written before the next is read,
 * so a large account costs the server one batch of memory, and a slow client slows the reading (back-pressure)
 * instead of filling a buffer. The user is looked up before the first byte, so a vanished account is a 401.
 */
export async function exportAccount(prisma: PrismaClient, userId: string): Promise<Readable> {
  const user = await prisma.user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError("UNAUTHORIZED", "Unknown user");
  const exportedAt = new Date().toISOString();

  async function* chunks(): AsyncGenerator<string> {
    yield `{"exportedAt":${JSON.stringify(exportedAt)},"user":${JSON.stringify(toUserDto(user!))},"lists":[`;
    yield '],"tasks":[';
    let after: { createdAt: Date; id: string } | undefined;
    let first = true;
    for (;;) {
      const rows = await prisma.task.findMany({
        where: {
          userId,
          ...(after && {
            OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
          }),
        },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: EXPORT_BATCH_SIZE,
      });
      if (rows.length > 0) {
        yield (first ? "" : ",") +
          rows
            // A calendar date: the Prisma row holds it as a Date at UTC midnight, the DTO as "YYYY-MM-DD".
            .map((row) =>
              JSON.stringify(toTaskDto({ ...row, dueDate: row.dueDate?.toISOString().slice(0, 10) ?? null })),
            )
            .join(",");
        first = false;
      }
      const last = rows.at(-1);
      if (!last || rows.length < EXPORT_BATCH_SIZE) break;
      after = { createdAt: last.createdAt, id: last.id };
    }
    yield "]}\n";
  }
  return Readable.from(chunks(), { objectMode: false });
}
