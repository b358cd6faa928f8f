import { Readable } from "node:stream";
import { toUserDto } from "../auth/use-cases/sign-in.js";
import type { Sql } from "../db/kysely.js";
import { AppError } from "../errors/app-error.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { toTaskDto } from "../tasks/task-service.js";

/** Rows read per query: big enough to keep round trips few, small enough that memory stays flat. */
export const EXPORT_BATCH_SIZE = 500;

/**
 * The account as one JSON document, `{ exportedAt, user, lists, tasks }`, produced as it is read: tasks come
 * in the owner's manual order, in keyset batches on `(position, id)` (the owner's index) and each batch is written before the next is read,
 * so a large account costs the server one batch of memory, and a slow client slows the reading (back-pressure)
 * instead of filling a buffer. The user is looked up before the first byte, so a vanished account is a 401.
 */
export async function exportAccount(prisma: PrismaClient, db: Sql, userId: string): Promise<Readable> {
  const user = await prisma.user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError("UNAUTHORIZED", "Unknown user");
  const exportedAt = new Date().toISOString();

  async function* chunks(): AsyncGenerator<string> {
    yield `{"exportedAt":${JSON.stringify(exportedAt)},"user":${JSON.stringify(toUserDto(user!))},"lists":[`;
    const lists = await db
      .selectFrom("lists")
      .select(["id", "name", "createdAt", "updatedAt"])
      .where("userId", "=", userId)
      .orderBy("createdAt")
      .orderBy("id")
      .execute();
    yield lists
      .map((list) =>
        JSON.stringify({
          id: list.id,
          name: list.name,
          createdAt: list.createdAt.toISOString(),
          updatedAt: list.updatedAt.toISOString(),
        }),
      )
      .join(",");
    yield '],"tasks":[';
    let after: { position: string; id: string } | undefined;
    let first = true;
    for (;;) {
      let query = db.selectFrom("tasks").selectAll().where("userId", "=", userId);
      if (after) {
        const { position, id } = after;
        query = query.where((eb) => eb(eb.refTuple("position", "id"), ">", eb.tuple(position, id)));
      }
      const rows = await query.orderBy("position").orderBy("id").limit(EXPORT_BATCH_SIZE).execute();
      if (rows.length > 0) {
        yield (first ? "" : ",") + rows.map((row) => JSON.stringify(toTaskDto(row))).join(",");
        first = false;
      }
      const last = rows.at(-1);
      if (!last || rows.length < EXPORT_BATCH_SIZE) break;
      after = { position: last.position, id: last.id };
    }
    yield "]}\n";
  }
  return Readable.from(chunks(), { objectMode: false });
}
