import type { ChangesPage, ChangesQuery, SyncList, Task } from "@todo/contract";
import { sql } from "kysely";
import type { Sql } from "../db/kysely.js";
import { AppError } from "../errors/app-error.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { TASK_COLUMNS, toTaskDto } from "../tasks/task-service.js";
import { decodeSyncCursor, encodeSyncCursor, type SyncCursor } from "./sync-cursor.js";

interface ListRow {
  id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
}
interface TombstoneRow {
  kind: string;
  entityId: string;
  changeSeq: string;
}

type Change =
  | { seq: bigint; kind: "task"; task: Task }
  | { seq: bigint; kind: "list"; list: SyncList }
  | { seq: bigint; kind: "deleted-task"; id: string }
  | { seq: bigint; kind: "deleted-list"; id: string };

const invalidCursor = () =>
  new AppError("VALIDATION_FAILED", "Request validation failed", [
    { location: "query", field: "cursor", message: "Not a cursor of this feed", code: "invalid_cursor" },
  ]);
const cursorExpired = () =>
  new AppError("CURSOR_EXPIRED", "This cursor is too old; sync again without a cursor (the whole current state)");

const toListDto = (row: ListRow): SyncList => ({
  id: row.id,
  name: row.name,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/**
 * The changes feed. Every write to a user's tasks and lists locks the user's sync row and then takes a change
 * number (triggers; see the sync migrations), holding the lock until it commits: the user's changes therefore
 * commit in number order. The feed first reads `high`, the highest number committed; every change numbered up to
 * `high` has committed by then, so reading `(position, high]` afterwards sees all of them, and the next cursor
 * can start at `high` (or at the last change of a full page) without skipping anything. A row changed again meanwhile moves past `high` and comes in a later page: a change may
 * arrive twice, never not at all.
 */
export function createChangesService(db: Sql) {
  return {
    async changes(ownerId: string, query: ChangesQuery): Promise<ChangesPage> {
      const given = query.cursor === undefined ? undefined : decodeSyncCursor(query.cursor);
      if (query.cursor !== undefined && !given) throw invalidCursor();

      // The highest change number committed for this user: a row's, a tombstone's, or a purged tombstone's. One
      // statement (one snapshot), three index probes. bigint travels as text and is compared as BigInt here.
      const bounds = (
        await sql<{ high: string | null; pruned: string | null }>`
          SELECT GREATEST(
            (SELECT max(change_seq) FROM tasks WHERE user_id = ${ownerId}),
            (SELECT max(change_seq) FROM lists WHERE user_id = ${ownerId}),
            (SELECT max(change_seq) FROM sync_tombstones WHERE user_id = ${ownerId}),
            (SELECT pruned_seq FROM sync_counters WHERE user_id = ${ownerId})
          )::text AS high,
          (SELECT pruned_seq FROM sync_counters WHERE user_id = ${ownerId})::text AS pruned`.execute(db)
      ).rows[0];
      const high = BigInt(bounds?.high ?? 0);
      const pruned = BigInt(bounds?.pruned ?? 0);

      // From scratch: everything there is, and only the deletions that happen from now on.
      const cursor: SyncCursor = given ?? { position: 0n, floor: high };
      // A cursor from the future was not issued for this account's history (forged, or another database).
      if (cursor.position > high || cursor.floor > high) throw cursorExpired();
      const deletionsAfter = cursor.floor > cursor.position ? cursor.floor : cursor.position;
      // Tombstones above the cursor may have been purged: the client may hold items deleted since.
      if (deletionsAfter < pruned) throw cursorExpired();

      const take = query.limit + 1;
      const after = String(cursor.position);
      const upTo = String(high);
      const seq = sql<string>`change_seq::text`.as("seq");
      const [tasks, lists, tombstones] = await Promise.all([
        db
          .selectFrom("tasks")
          .select([...TASK_COLUMNS, seq])
          .where("userId", "=", ownerId)
          .where(sql`change_seq`, ">", sql`${after}::bigint`)
          .where(sql`change_seq`, "<=", sql`${upTo}::bigint`)
          .orderBy(sql`change_seq`)
          .limit(take)
          .execute(),
        db
          .selectFrom("lists")
          .select(["id", "name", "createdAt", "updatedAt", seq])
          .where("userId", "=", ownerId)
          .where(sql`change_seq`, ">", sql`${after}::bigint`)
          .where(sql`change_seq`, "<=", sql`${upTo}::bigint`)
          .orderBy(sql`change_seq`)
          .limit(take)
          .execute(),
        sql<TombstoneRow>`
          SELECT kind, entity_id::text AS "entityId", change_seq::text AS "changeSeq" FROM sync_tombstones
          WHERE user_id = ${ownerId} AND change_seq > ${String(deletionsAfter)}::bigint AND change_seq <= ${upTo}::bigint
          ORDER BY change_seq LIMIT ${take}`
          .execute(db)
          .then((r) => r.rows),
      ]);

      const merged: Change[] = [
        ...tasks.map((row): Change => ({ seq: BigInt(row.seq), kind: "task", task: toTaskDto(row) })),
        ...lists.map((row): Change => ({ seq: BigInt(row.seq), kind: "list", list: toListDto(row) })),
        ...tombstones.map(
          (row): Change => ({
            seq: BigInt(row.changeSeq),
            kind: row.kind === "list" ? "deleted-list" : "deleted-task",
            id: row.entityId,
          }),
        ),
      ].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));

      const hasMore = merged.length > query.limit;
      const page = hasMore ? merged.slice(0, query.limit) : merged;
      const last = page.at(-1);
      const position = hasMore && last ? last.seq : high;
      const result: ChangesPage = {
        tasks: [],
        lists: [],
        deletedTaskIds: [],
        deletedListIds: [],
        cursor: encodeSyncCursor({ position, floor: cursor.floor }),
        hasMore,
      };
      for (const change of page) {
        if (change.kind === "task") result.tasks.push(change.task);
        else if (change.kind === "list") result.lists.push(change.list);
        else if (change.kind === "deleted-task") result.deletedTaskIds.push(change.id);
        else result.deletedListIds.push(change.id);
      }
      return result;
    },
  };
}

export type ChangesService = ReturnType<typeof createChangesService>;

/**
 * Deletes tombstones older than `ttlSeconds` and records, per user, the highest change number purged: a cursor
 * below it gets 410 CURSOR_EXPIRED (it may have missed those deletions). Housekeeping, like the session cleanup.
 */
export function purgeOldTombstones(prisma: PrismaClient, ttlSeconds: number): Promise<number> {
  return prisma.$executeRaw`
    WITH purged AS (
      DELETE FROM sync_tombstones WHERE deleted_at < now() - make_interval(secs => ${ttlSeconds})
      RETURNING user_id, change_seq
    )
    UPDATE sync_counters AS c SET pruned_seq = GREATEST(c.pruned_seq, p.seq)
    FROM (SELECT user_id, max(change_seq) AS seq FROM purged GROUP BY user_id) AS p
    WHERE c.user_id = p.user_id`;
}
