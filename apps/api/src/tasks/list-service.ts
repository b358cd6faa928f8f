import { randomUUID } from "node:crypto";
import type { ListBody, TaskList } from "@todo/contract";
import { sql } from "kysely";
import type { Sql } from "../db/kysely.js";
import { AppError, notFound } from "../errors/app-error.js";
import { isUuid } from "../lib/uuid.js";
import type { OwnerGate } from "./owner-gate.js";
import { lockOwner, type ReservedId, resumeReserved } from "./owner-lock.js";

export interface ListLimits {
  /** Lists one user may have (409 QUOTA_EXCEEDED beyond). */
  maxListsPerUser: number;
}

/** PostgreSQL's SQLSTATE for a unique violation: here, the owner's unique index on lower(name). */
const UNIQUE_VIOLATION = "23505";

const nameTaken = (): AppError => new AppError("LIST_NAME_TAKEN", "You already have a list with this name");

interface ListRow {
  id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
  activeCount: number;
  completedCount: number;
}

const toListDto = (row: ListRow): TaskList => ({
  id: row.id,
  name: row.name,
  activeCount: row.activeCount,
  completedCount: row.completedCount,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/**
 * List use cases, one function each, scoped by the owner like tasks. Deleting a list deletes its tasks through the
 * tasks' (list_id, user_id) foreign key (ON DELETE CASCADE): one statement, one transaction. `gate`: admission to
 * the owner's lock for creates (owner-gate.ts).
 */
export function createListService(db: Sql, limits: ListLimits, gate: OwnerGate) {
  /** The owner's lists with live counts of their active and completed tasks. */
  const withCounts = (ownerId: string, q: Sql = db) =>
    q
      .selectFrom("lists as l")
      .leftJoin("tasks as t", (join) => join.onRef("t.listId", "=", "l.id").onRef("t.userId", "=", "l.userId"))
      .select([
        "l.id",
        "l.name",
        "l.createdAt",
        "l.updatedAt",
        sql<number>`(count(t.id) FILTER (WHERE NOT t.completed))::int`.as("activeCount"),
        sql<number>`(count(t.id) FILTER (WHERE t.completed))::int`.as("completedCount"),
      ])
      .where("l.userId", "=", ownerId)
      .groupBy("l.id");

  async function get(ownerId: string, listId: string): Promise<TaskList> {
    if (!isUuid(listId)) throw notFound("List");
    const row = await withCounts(ownerId).where("l.id", "=", listId).executeTakeFirst();
    if (!row) throw notFound("List");
    return toListDto(row);
  }

  return {
    get,

    async list(ownerId: string): Promise<{ items: TaskList[] }> {
      const rows = await withCounts(ownerId).orderBy("l.createdAt").orderBy("l.id").execute();
      return { items: rows.map(toListDto) };
    },

    /**
     * Within the quota and with a name of its own: one transaction under the owner's lock. `id`: the id to create the
     * list under (an Idempotency-Key's reserved one); a list already there under it is the answer.
     */
    async create(ownerId: string, body: ListBody, reserved?: ReservedId, ended?: () => AbortSignal): Promise<TaskList> {
      const id = reserved?.id;
      const write = () =>
        db.transaction().execute(async (tx) => {
          if (!(await lockOwner(tx, ownerId))) throw new AppError("UNAUTHORIZED", "Unknown account");
          // An earlier attempt with this Idempotency-Key may have created the list: a resumed key's first attempt,
          // which died before keeping its answer (refused if the list was deleted since), or, for the first attempt
          // itself, a retry that took its claim over. That list, read under the owner's lock, is the answer.
          if (reserved && (!reserved.resumed || (await resumeReserved(tx, "list", ownerId, reserved.id)))) {
            const made = await withCounts(ownerId, tx).where("l.id", "=", reserved.id).executeTakeFirst();
            if (made) return made;
          }
          const { count } = await tx
            .selectFrom("lists")
            .select((eb) => eb.fn.countAll<number>().as("count"))
            .where("userId", "=", ownerId)
            .executeTakeFirstOrThrow();
          if (Number(count) >= limits.maxListsPerUser) {
            throw new AppError("QUOTA_EXCEEDED", `You already have ${limits.maxListsPerUser} lists, the most allowed`);
          }
          const inserted = await tx
            .insertInto("lists")
            .values({
              id: id ?? randomUUID(),
              userId: ownerId,
              name: body.name,
              createdAt: sql<Date>`now()`,
              updatedAt: sql<Date>`now()`,
            })
            .onConflict((oc) => oc.expression(sql`user_id, lower(name)`).doNothing())
            .returning(["id", "name", "createdAt", "updatedAt"])
            .executeTakeFirst();
          return inserted && { ...inserted, activeCount: 0, completedCount: 0 };
        });
      const row = await gate.run(ownerId, write, ended);
      if (!row) throw nameTaken();
      return toListDto(row);
    },

    async rename(ownerId: string, listId: string, body: ListBody): Promise<TaskList> {
      if (!isUuid(listId)) throw notFound("List");
      let updated: { id: string } | undefined;
      try {
        updated = await db
          .updateTable("lists")
          .set({ name: body.name, updatedAt: sql<Date>`now()` })
          .where("id", "=", listId)
          .where("userId", "=", ownerId)
          .returning("id")
          .executeTakeFirst();
      } catch (error) {
        if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) throw nameTaken();
        throw error;
      }
      if (!updated) throw notFound("List");
      return get(ownerId, listId);
    },

    /** The list and every task in it, in one statement (the tasks' foreign key cascades). */
    async remove(ownerId: string, listId: string): Promise<void> {
      if (!isUuid(listId)) throw notFound("List");
      const result = await db
        .deleteFrom("lists")
        .where("id", "=", listId)
        .where("userId", "=", ownerId)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) throw notFound("List");
    },
  };
}

export type ListService = ReturnType<typeof createListService>;
