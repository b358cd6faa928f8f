import type {
  ClearCompletedQuery,
  CreateTaskBody,
  ListTasksQuery,
  MoveTaskBody,
  Priority,
  Task,
  TaskPage,
  TaskSummary,
  TaskSummaryQuery,
  UpdateTaskBody,
} from "@todo/contract";
import { generateKeyBetween, generateNKeysBetween } from "fractional-indexing";
import {
  type CompiledQuery,
  type ExpressionBuilder,
  type Selectable,
  sql,
  type Transaction,
  type UpdateObject,
} from "kysely";
import { compiledOnce } from "../db/compiled-once.js";
import type { Sql, Tables } from "../db/kysely.js";
import { AppError, notFound } from "../errors/app-error.js";
import { isUuid } from "../lib/uuid.js";
import type { OwnerGate } from "./owner-gate.js";
import { lockOwner, type ReservedId, resumeReserved } from "./owner-lock.js";
import { decodeTaskCursor, encodeTaskCursor, invalidQuery, type TaskCursor } from "./task-cursor.js";

/** Stored as a smallint (0–3) so that `sort=priority` is an index walk; named in the API. */
const PRIORITIES: readonly Priority[] = ["none", "low", "medium", "high"];
const priorityNumber = (priority: Priority): number => PRIORITIES.indexOf(priority);

/** Every task column, in the one place the API reads them: the row type follows schema.prisma. */
export const TASK_COLUMNS = [
  "id",
  "userId",
  "title",
  "description",
  "completed",
  "createdAt",
  "updatedAt",
  "listId",
  "dueDate",
  "priority",
  "position",
  "completedAt",
  "version",
] as const satisfies readonly (keyof Tables["tasks"])[];
export type TaskRow = Pick<Selectable<Tables["tasks"]>, (typeof TASK_COLUMNS)[number]>;

/** A task row as the database names its columns: what the hot queries' rows are before `taskRow`. */
interface TaskRecord {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: Date;
  updated_at: Date;
  list_id: string | null;
  due_date: string | null;
  priority: number;
  position: string;
  completed_at: Date | null;
  version: number;
}

/**
 * The CamelCasePlugin's renaming of a task row, written out: one object of a fixed shape instead of a key-by-key
 * copy (the plugin's pass was ~2% of the list route's CPU). The type checker holds it to TASK_COLUMNS.
 */
const taskRow = (r: TaskRecord): TaskRow => ({
  id: r.id,
  userId: r.user_id,
  title: r.title,
  description: r.description,
  completed: r.completed,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  listId: r.list_id,
  dueDate: r.due_date,
  priority: r.priority,
  position: r.position,
  completedAt: r.completed_at,
  version: r.version,
});

/**
 * Runs a hot task query (compiled once, with the CamelCasePlugin's renaming of the SQL) on `raw`, a Kysely or
 * transaction without plugins (`withoutPlugins()`), and renames the rows with `taskRow`.
 */
async function taskRows(raw: Sql | Transaction<Tables>, query: CompiledQuery<TaskRow>): Promise<TaskRow[]> {
  const { rows } = await raw.executeQuery(query as unknown as CompiledQuery<TaskRecord>);
  return rows.map(taskRow);
}

export function toTaskDto(row: TaskRow): Task {
  return {
    id: row.id,
    userId: row.userId,
    title: row.title,
    description: row.description,
    completed: row.completed,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    listId: row.listId,
    dueDate: row.dueDate,
    priority: PRIORITIES[row.priority] ?? "none",
    position: row.position,
    completedAt: row.completedAt?.toISOString() ?? null,
    version: row.version,
  };
}

export interface TaskLimits {
  /** Tasks one user may have (409 QUOTA_EXCEEDED beyond). */
  maxTasksPerUser: number;
}

/**
 * A position longer than this triggers a renumbering of the owner's order (in the same transaction): keys grow
 * by about a character per few moves into the same gap, and the column holds 255.
 */
const MAX_POSITION_LENGTH = 64;

/** PostgreSQL's SQLSTATE for a foreign key violation: here, a `listId` that is not one of the owner's lists. */
const FOREIGN_KEY_VIOLATION = "23503";

/** The SQLSTATEs `create_task` raises (see its migration): no such user, the quota reached, a key for the library. */
const UNKNOWN_OWNER = "TD401";
const QUOTA_REACHED = "TD409";
const NEEDS_LIBRARY_KEY = "TD500";
/** A task id already taken (see `create`). */
const UNIQUE_VIOLATION = "23505";

const sqlState = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** The task columns as a select list, for SQL that Kysely's builder does not write (the `create_task` call). */
const TASK_SELECTION = sql.join(TASK_COLUMNS.map((column) => sql.ref(column)));

const listNotFound = (location: "body" | "query" = "body"): AppError =>
  invalidQuery(location, "listId", "No such list: pass the id of one of your lists", "unknown_list");

/** A write naming another person's (or no longer existing) list fails the (list_id, user_id) foreign key. */
async function refusingForeignLists<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) throw listNotFound();
    throw error;
  }
}

/**
 * The versions an `If-Match` accepts (see http/conditional.ts); undefined: the write is unconditional (last write
 * wins). Each conditional write puts them in its own WHERE clause, so the comparison and the write are one atomic
 * statement: of concurrent writers that read the same version, exactly one succeeds.
 */
export type ExpectedVersions = readonly number[] | undefined;

const preconditionFailed = (): AppError =>
  new AppError("PRECONDITION_FAILED", "The task has changed since you read it (If-Match); nothing was changed");

type TaskExpressions = ExpressionBuilder<Tables, "tasks">;

/** The cursor's values, as the keyset condition uses them (stand-ins while the query is compiled once). */
interface CursorValues {
  key: unknown;
  position: string;
  id: string;
}

/**
 * The keyset condition "after the cursor" for each sort; ties go by manual order (position), then id. Its form depends
 * only on the sort and, for `due`, on whether the cursor's date is null (see compiledOnce).
 */
function afterCursor(eb: TaskExpressions, sort: TaskCursor["sort"], dueIsNull: boolean, c: CursorValues) {
  const tie = eb(eb.refTuple("position", "id"), ">", eb.tuple(c.position, c.id));
  switch (sort) {
    case "manual":
      return tie;
    case "created":
      return eb(eb.refTuple("createdAt", "position", "id"), ">", eb.tuple(c.key as Date, c.position, c.id));
    case "updated": {
      const key = c.key as Date;
      // Newest first: the leading `<=` lets the index seek; the rest picks up the ties.
      return eb.and([
        eb("updatedAt", "<=", key),
        eb.or([eb("updatedAt", "<", key), eb.and([eb("updatedAt", "=", key), tie])]),
      ]);
    }
    case "priority": {
      const key = c.key as number;
      return eb.and([
        eb("priority", "<=", key),
        eb.or([eb("priority", "<", key), eb.and([eb("priority", "=", key), tie])]),
      ]);
    }
    case "due": {
      const key = c.key as string;
      // Soonest first, no date last.
      return dueIsNull
        ? eb.and([eb("dueDate", "is", null), tie])
        : eb.or([eb("dueDate", ">", key), eb("dueDate", "is", null), eb.and([eb("dueDate", "=", key), tie])]);
    }
  }
}

function cursorAfter(sort: ListTasksQuery["sort"], row: TaskRow): TaskCursor {
  const tie = { position: row.position, id: row.id };
  switch (sort) {
    case "manual":
      return { sort, ...tie };
    case "created":
      return { sort, key: row.createdAt, ...tie };
    case "updated":
      return { sort, key: row.updatedAt, ...tie };
    case "priority":
      return { sort, key: row.priority, ...tie };
    case "due":
      return { sort, key: row.dueDate, ...tie };
  }
}

/** What decides the list query's SQL (see compiledOnce): which filters are given, the sort, the cursor's kind. */
interface ListShape {
  completed: boolean;
  list: "any" | "none" | "one";
  priority: boolean;
  dueAfter: boolean;
  dueBefore: boolean;
  q: boolean;
  sort: ListTasksQuery["sort"];
  after: "start" | "key" | "due-null";
}

interface ListValues {
  ownerId: string;
  completed: boolean | undefined;
  listId: string | undefined;
  priority: number | undefined;
  dueAfter: string | undefined;
  dueBefore: string | undefined;
  pattern: string | undefined;
  cursorKey: unknown;
  cursorPosition: string | undefined;
  cursorId: string | undefined;
  limit: number;
}

interface CreateValues {
  ownerId: string;
  title: string;
  description: string | null;
  listId: string | null;
  dueDate: string | null;
  priority: number;
  maxTasks: number;
  /** null: after the last one (create_task finds it); a key: the library's, when create_task cannot make it. */
  position: string | null;
  /** The id to create the task under (an Idempotency-Key's reserved one), or null for a new one. */
  id: string | null;
}

/** One task of one owner; `versions`: what an If-Match accepts (conditional writes only). */
interface TaskKey {
  ownerId: string;
  taskId: string;
  versions?: readonly number[] | undefined;
}

interface UpdateShape {
  title: boolean;
  description: boolean;
  listId: boolean;
  dueDate: boolean;
  priority: boolean;
  completed: "keep" | "complete" | "reopen";
  conditional: boolean;
}

interface UpdateValues {
  title: string | undefined;
  description: string | null | undefined;
  listId: string | null | undefined;
  dueDate: string | null | undefined;
  priority: number | undefined;
}

/** `%` and `_` (and the escape character itself) match only themselves. */
const likePattern = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Task use cases, one function each, every one a single statement or a single transaction on the owner's rows.
 * Every query is scoped by the owner's id, so another user's task is simply not found. Ids that are not UUIDs
 * cannot name a task: they are 404 without a query.
 *
 * For optimistic concurrency (a `version` column and If-Match), each write below is the one place to add
 * `version = version + 1` and a `WHERE version = $expected`. `gate`: admission to the owner's lock for creates and
 * moves (owner-gate.ts).
 */
export function createTaskService(db: Sql, limits: TaskLimits, gate: OwnerGate) {
  /** The same connections without plugins, for the hot queries (see `taskRows`). */
  const raw = db.withoutPlugins();
  // The hot queries, compiled once per shape (db/compiled-once.ts).

  /** The list route: which filters, which sort, whether a cursor (and a null due date in it). */
  const listQuery = compiledOnce((shape: ListShape, v: ListValues) => {
    let select = db.selectFrom("tasks").select(TASK_COLUMNS).where("userId", "=", v.ownerId);
    if (shape.completed) select = select.where("completed", "=", v.completed!);
    if (shape.list === "none") select = select.where("listId", "is", null);
    else if (shape.list === "one") select = select.where("listId", "=", v.listId!);
    if (shape.priority) select = select.where("priority", "=", v.priority!);
    if (shape.dueAfter) select = select.where("dueDate", ">=", v.dueAfter!);
    if (shape.dueBefore) select = select.where("dueDate", "<=", v.dueBefore!);
    if (shape.q) {
      select = select.where((eb) => eb.or([eb("title", "ilike", v.pattern!), eb("description", "ilike", v.pattern!)]));
    }
    if (shape.after !== "start") {
      select = select.where((eb) =>
        afterCursor(eb, shape.sort, shape.after === "due-null", {
          key: v.cursorKey,
          position: v.cursorPosition!,
          id: v.cursorId!,
        }),
      );
    }
    switch (shape.sort) {
      case "manual":
        break;
      case "created":
        select = select.orderBy("createdAt", "asc");
        break;
      case "updated":
        select = select.orderBy("updatedAt", "desc");
        break;
      case "priority":
        select = select.orderBy("priority", "desc");
        break;
      case "due":
        select = select.orderBy("dueDate", (o) => o.asc().nullsLast());
        break;
    }
    // Keyset pagination; one extra row tells whether another page exists without a count query.
    return select.orderBy("position", "asc").orderBy("id", "asc").limit(v.limit);
  });

  /** The `create_task` call (see its migration). */
  const createQuery = compiledOnce((_shape: "create", v: CreateValues) => ({
    compile: () =>
      sql<TaskRow>`SELECT ${TASK_SELECTION} FROM create_task(${v.ownerId}, ${v.title}, ${v.description},
        ${v.listId}::uuid, ${v.dueDate}::date, ${v.priority}::smallint, ${v.maxTasks}::integer, ${v.position}::varchar,
        ${v.id}::uuid)`.compile(db),
  }));

  /** A conditional write's `version = ANY(...)`: one parameter, however many versions the If-Match names. */
  const versionMatches = (versions: unknown) => sql<boolean>`version = ANY(${versions}::int[])`;

  const getQuery = compiledOnce((_shape: "get", v: TaskKey) =>
    db.selectFrom("tasks").select(TASK_COLUMNS).where("id", "=", v.taskId).where("userId", "=", v.ownerId),
  );

  const toggleQuery = compiledOnce((conditional: boolean, v: TaskKey) =>
    db
      .updateTable("tasks")
      .set({
        completed: sql<boolean>`NOT completed`,
        completedAt: sql<Date | null>`CASE WHEN completed THEN NULL ELSE now() END`,
        updatedAt: sql<Date>`now()`,
      })
      .where("id", "=", v.taskId)
      .where("userId", "=", v.ownerId)
      .$if(conditional, (q) => q.where(versionMatches(v.versions)))
      .returning(TASK_COLUMNS),
  );

  const deleteQuery = compiledOnce((conditional: boolean, v: TaskKey) =>
    db
      .deleteFrom("tasks")
      .where("id", "=", v.taskId)
      .where("userId", "=", v.ownerId)
      .$if(conditional, (q) => q.where(versionMatches(v.versions))),
  );

  /** Which fields an update sets (and, for `completed`, to what: completing and reopening set `completedAt` apart). */
  const updateQuery = compiledOnce((shape: UpdateShape, v: TaskKey & UpdateValues) => {
    const changes: UpdateObject<Tables, "tasks"> = { updatedAt: sql<Date>`now()` };
    if (shape.title) changes.title = v.title!;
    if (shape.description) changes.description = v.description!;
    if (shape.listId) changes.listId = v.listId!;
    if (shape.dueDate) changes.dueDate = v.dueDate!;
    if (shape.priority) changes.priority = v.priority!;
    if (shape.completed !== "keep") {
      changes.completed = shape.completed === "complete";
      // Completing keeps the moment it was first completed; reopening clears it.
      changes.completedAt =
        shape.completed === "complete" ? sql<Date>`CASE WHEN completed THEN completed_at ELSE now() END` : null;
    }
    return db
      .updateTable("tasks")
      .set(changes)
      .where("id", "=", v.taskId)
      .where("userId", "=", v.ownerId)
      .$if(shape.conditional, (q) => q.where(versionMatches(v.versions)))
      .returning(TASK_COLUMNS);
  });

  /** Why a conditional write changed no row: the task is not there (404), or its version did not match (412). */
  async function noRowWritten(ownerId: string, taskId: string, expected: ExpectedVersions): Promise<AppError> {
    if (expected === undefined) return notFound();
    const exists = await db
      .selectFrom("tasks")
      .select("id")
      .where("id", "=", taskId)
      .where("userId", "=", ownerId)
      .executeTakeFirst();
    return exists ? preconditionFailed() : notFound();
  }

  /** Rewrites the owner's positions evenly (same order) when keys have grown long; returns the new keys by id. */
  async function renumber(tx: Transaction<Tables>, ownerId: string): Promise<Map<string, string>> {
    const rows = await tx
      .selectFrom("tasks")
      .select(["id"])
      .where("userId", "=", ownerId)
      .orderBy("position")
      .orderBy("id")
      // Every row locked before the UPDATE touches one: the sync trigger takes the owner's change counter at the
      // first row, and a single-task write holding a later row while it waits for the counter would deadlock.
      .forUpdate()
      .execute();
    const keys = generateNKeysBetween(null, null, rows.length);
    const ids = rows.map((r) => r.id);
    await sql`UPDATE tasks SET position = n.position
      FROM unnest(${ids}::uuid[], ${keys}::text[]) AS n(id, position)
      WHERE tasks.id = n.id AND tasks.user_id = ${ownerId}`.execute(tx);
    return new Map(ids.map((id, i) => [id, keys[i]!]));
  }

  return {
    async list(ownerId: string, query: ListTasksQuery): Promise<TaskPage> {
      const after = query.cursor === undefined ? undefined : decodeTaskCursor(query.cursor, query.sort);
      const shape: ListShape = {
        completed: query.completed !== undefined,
        list: query.listId === undefined ? "any" : query.listId === "none" ? "none" : "one",
        priority: query.priority !== undefined,
        dueAfter: query.dueAfter !== undefined,
        dueBefore: query.dueBefore !== undefined,
        q: query.q !== undefined,
        sort: query.sort,
        after: after === undefined ? "start" : after.sort === "due" && after.key === null ? "due-null" : "key",
      };
      const rows = await taskRows(
        raw,
        listQuery(shape, {
          ownerId,
          completed: query.completed,
          listId: query.listId,
          priority: query.priority === undefined ? undefined : priorityNumber(query.priority),
          dueAfter: query.dueAfter,
          dueBefore: query.dueBefore,
          pattern: query.q === undefined ? undefined : likePattern(query.q),
          cursorKey: after && "key" in after ? after.key : undefined,
          cursorPosition: after?.position,
          cursorId: after?.id,
          limit: query.limit + 1,
        }),
      );
      if (rows.length === 0 && query.listId !== undefined && query.listId !== "none" && after === undefined) {
        // An empty first page: say so if the list is not the caller's (a filter never reveals others' lists).
        const list = await db
          .selectFrom("lists")
          .select("id")
          .where("id", "=", query.listId)
          .where("userId", "=", ownerId)
          .executeTakeFirst();
        if (!list) throw listNotFound("query");
      }
      const page = rows.length > query.limit ? rows.slice(0, query.limit) : rows;
      const last = page.at(-1);
      return {
        items: page.map(toTaskDto),
        nextCursor: rows.length > query.limit && last ? encodeTaskCursor(cursorAfter(query.sort, last)) : null,
      };
    },

    /**
     * Appends to the owner's manual order, within the quota: one call of the `create_task` function (one round
     * trip), which locks the owner, checks the quota from the maintained count, puts the task after the last
     * position and inserts it (see its migration). Only when the next key needs more than incrementing the last
     * one's integer part (practically never) does the library compute it, in a transaction under the same lock.
     */
    async create(
      ownerId: string,
      body: CreateTaskBody,
      reserved?: ReservedId,
      ended?: () => AbortSignal,
    ): Promise<Task> {
      const id = reserved?.id;
      const call = async (q: Sql | Transaction<Tables>, position: string | null) => {
        const values: CreateValues = {
          ownerId,
          title: body.title,
          description: body.description ?? null,
          listId: body.listId ?? null,
          dueDate: body.dueDate ?? null,
          priority: priorityNumber(body.priority ?? "none"),
          maxTasks: limits.maxTasksPerUser,
          position,
          id: id ?? null,
        };
        return (await taskRows(q, createQuery("create", values)))[0]!;
      };
      /**
       * The owner's lock and, for a resumed key, its first attempt's task if that attempt made it (locked, read in
       * the same transaction: the answer); refused if it was deleted since.
       */
      const madeUnlessDeleted = async (tx: Transaction<Tables>): Promise<TaskRow | undefined> => {
        if (!(await lockOwner(tx, ownerId))) throw new AppError("UNAUTHORIZED", "Unknown account");
        if (!reserved?.resumed || !(await resumeReserved(tx, "task", ownerId, reserved.id))) return undefined;
        return (await taskRows(tx.withoutPlugins(), getQuery("get", { ownerId, taskId: reserved.id })))[0];
      };
      const write = () =>
        refusingForeignLists(async () => {
          try {
            // A resumed key (its first attempt may have created the task, then died) first looks for that task and
            // makes sure it was not deleted since; that rare path pays a transaction, the usual create stays one call.
            if (!reserved?.resumed) return await call(raw, null);
            return await db
              .transaction()
              .execute(async (tx) => (await madeUnlessDeleted(tx)) ?? call(tx.withoutPlugins(), null));
          } catch (error) {
            if (sqlState(error) !== NEEDS_LIBRARY_KEY) throw error;
            return db.transaction().execute(async (tx) => {
              const made = await madeUnlessDeleted(tx);
              if (made) return made;
              const last = await tx
                .selectFrom("tasks")
                .select("position")
                .where("userId", "=", ownerId)
                .orderBy("position", "desc")
                .limit(1)
                .executeTakeFirst();
              return call(tx.withoutPlugins(), generateKeyBetween(last?.position ?? null, null));
            });
          }
        });
      const row = await gate.run(ownerId, write, ended).catch(async (error: unknown) => {
        switch (sqlState(error)) {
          case UNIQUE_VIOLATION: {
            // The reserved id is taken: an earlier attempt with this Idempotency-Key created the task and did not
            // live to keep its answer. That task is the answer (as it is now).
            const existing =
              id === undefined ? undefined : (await taskRows(raw, getQuery("get", { ownerId, taskId: id })))[0];
            if (existing) return existing;
            throw error;
          }
          case UNKNOWN_OWNER:
            throw new AppError("UNAUTHORIZED", "Unknown account");
          case QUOTA_REACHED:
            throw new AppError("QUOTA_EXCEEDED", `You already have ${limits.maxTasksPerUser} tasks, the most allowed`);
          default:
            throw error;
        }
      });
      return toTaskDto(row);
    },

    async get(ownerId: string, taskId: string): Promise<Task> {
      if (!isUuid(taskId)) throw notFound();
      const row = (await taskRows(raw, getQuery("get", { ownerId, taskId })))[0];
      if (!row) throw notFound();
      return toTaskDto(row);
    },

    async update(ownerId: string, taskId: string, body: UpdateTaskBody, expected?: ExpectedVersions): Promise<Task> {
      if (!isUuid(taskId)) throw notFound();
      // Absent fields stay as they are; the owner is in the WHERE clause; RETURNING keeps it one round trip.
      const shape: UpdateShape = {
        title: body.title !== undefined,
        description: body.description !== undefined,
        listId: body.listId !== undefined,
        dueDate: body.dueDate !== undefined,
        priority: body.priority !== undefined,
        completed: body.completed === undefined ? "keep" : body.completed ? "complete" : "reopen",
        conditional: expected !== undefined,
      };
      const values = {
        ownerId,
        taskId,
        versions: expected,
        title: body.title,
        description: body.description,
        listId: body.listId,
        dueDate: body.dueDate,
        priority: body.priority === undefined ? undefined : priorityNumber(body.priority),
      };
      const row = await refusingForeignLists(async () => (await taskRows(raw, updateQuery(shape, values)))[0]);
      if (!row) throw await noRowWritten(ownerId, taskId, expected);
      return toTaskDto(row);
    },

    async remove(ownerId: string, taskId: string, expected?: ExpectedVersions): Promise<void> {
      if (!isUuid(taskId)) throw notFound();
      const result = await db.executeQuery(
        deleteQuery(expected !== undefined, { ownerId, taskId, versions: expected }),
      );
      if (result.numAffectedRows === 0n) throw await noRowWritten(ownerId, taskId, expected);
    },

    /** Flips `completed` in one UPDATE, so concurrent toggles never lose a flip. */
    async toggleComplete(ownerId: string, taskId: string, expected?: ExpectedVersions): Promise<Task> {
      if (!isUuid(taskId)) throw notFound();
      const [row] = await taskRows(raw, toggleQuery(expected !== undefined, { ownerId, taskId, versions: expected }));
      if (!row) throw await noRowWritten(ownerId, taskId, expected);
      return toTaskDto(row);
    },

    /**
     * Places the task right after `afterId` (null: first). Under the owner's lock the neighbours cannot change, so
     * the new key lies strictly between two distinct keys: concurrent moves leave one total order.
     */
    async move(
      ownerId: string,
      taskId: string,
      body: MoveTaskBody,
      expected?: ExpectedVersions,
      ended?: () => AbortSignal,
    ): Promise<Task> {
      if (!isUuid(taskId)) throw notFound();
      const afterId = body.afterId;
      if (afterId !== null && !isUuid(afterId)) throw unknownAfter();
      const row = await gate.run(
        ownerId,
        () =>
          db.transaction().execute(async (tx) => {
            if (!(await lockOwner(tx, ownerId))) throw new AppError("UNAUTHORIZED", "Unknown account");
            // Locked to the end of the move: its version (If-Match) and its existence hold until the UPDATE below.
            const task = await tx
              .selectFrom("tasks")
              .select(["id", "position", "version"])
              .where("id", "=", taskId)
              .where("userId", "=", ownerId)
              .forUpdate()
              .executeTakeFirst();
            if (!task) throw notFound();
            if (expected !== undefined && !expected.includes(task.version)) throw preconditionFailed();
            if (afterId === task.id) return undefined; // after itself: where it already is
            let previous: string | null = null;
            if (afterId !== null) {
              const anchor = await tx
                .selectFrom("tasks")
                .select("position")
                .where("id", "=", afterId)
                .where("userId", "=", ownerId)
                .executeTakeFirst();
              if (!anchor) throw unknownAfter();
              previous = anchor.position;
            }
            const nextPosition = async (prev: string | null) =>
              (
                await tx
                  .selectFrom("tasks")
                  .select("position")
                  .where("userId", "=", ownerId)
                  .where("id", "!=", taskId)
                  .$if(prev !== null, (q) => q.where("position", ">", prev!))
                  .orderBy("position")
                  .limit(1)
                  .executeTakeFirst()
              )?.position ?? null;
            let next = await nextPosition(previous);
            let position = generateKeyBetween(previous, next);
            if (position.length > MAX_POSITION_LENGTH) {
              const keys = await renumber(tx, ownerId);
              previous = afterId === null ? null : keys.get(afterId)!;
              next = await nextPosition(previous);
              position = generateKeyBetween(previous, next);
            }
            return tx
              .updateTable("tasks")
              .set({ position, updatedAt: sql<Date>`now()` })
              .where("id", "=", taskId)
              .where("userId", "=", ownerId)
              .returning(TASK_COLUMNS)
              .executeTakeFirstOrThrow();
          }),
        ended,
      );
      return row ? toTaskDto(row) : this.get(ownerId, taskId);
    },

    /** Counts in one pass over the owner's rows. */
    async summary(ownerId: string, query: TaskSummaryQuery): Promise<TaskSummary> {
      const today = query.today ?? new Date().toISOString().slice(0, 10);
      const row = await db
        .selectFrom("tasks")
        .select([
          sql<number>`count(*)::int`.as("total"),
          sql<number>`(count(*) FILTER (WHERE completed))::int`.as("completed"),
          sql<number>`(count(*) FILTER (WHERE NOT completed AND due_date < ${today}::date))::int`.as("overdue"),
          sql<number>`(count(*) FILTER (WHERE NOT completed AND due_date = ${today}::date))::int`.as("dueToday"),
        ])
        .where("userId", "=", ownerId)
        .executeTakeFirstOrThrow();
      return {
        total: row.total,
        active: row.total - row.completed,
        completed: row.completed,
        overdue: row.overdue,
        dueToday: row.dueToday,
      };
    },

    /** Deletes the owner's completed tasks (of one list, or of none) in one statement. */
    async clearCompleted(ownerId: string, query: ClearCompletedQuery): Promise<{ deleted: number }> {
      const listId = query.listId;
      const result = await db
        .deleteFrom("tasks")
        .where("userId", "=", ownerId)
        .where("completed", "=", true)
        .$if(listId === "none", (q) => q.where("listId", "is", null))
        .$if(listId !== undefined && listId !== "none", (q) => q.where("listId", "=", listId!))
        .executeTakeFirst();
      const deleted = Number(result.numDeletedRows);
      if (deleted === 0 && listId !== undefined && listId !== "none") {
        const list = await db
          .selectFrom("lists")
          .select("id")
          .where("id", "=", listId)
          .where("userId", "=", ownerId)
          .executeTakeFirst();
        if (!list) throw listNotFound("query");
      }
      return { deleted };
    },
  };
}

const unknownAfter = (): AppError =>
  invalidQuery("body", "afterId", "No such task: pass the id of another of your tasks, or null", "unknown_task");

export type TaskService = ReturnType<typeof createTaskService>;
