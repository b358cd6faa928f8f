import type { CreateTaskBody, ListTasksQuery, Task, TaskPage, UpdateTaskBody } from "@todo/contract";
import type { PrismaClient, Task as TaskRow } from "../generated/prisma/client.js";
import { notFound } from "../http/app-error.js";
import { decodeTaskCursor, encodeTaskCursor, isUuid } from "./task-cursor.js";

export function toTaskDto(row: TaskRow): Task {
  return {
    id: row.id,
    userId: row.userId,
    title: row.title,
    description: row.description,
    completed: row.completed,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Task use cases. Every query is scoped by the owner's id, so another user's task is simply not found.
 * Ids that are not UUIDs cannot name a task: they are 404 without a query.
 */
export function createTaskService(prisma: PrismaClient) {
  return {
    async list(ownerId: string, query: ListTasksQuery): Promise<TaskPage> {
      const after = query.cursor === undefined ? undefined : decodeTaskCursor(query.cursor);
      const rows = await prisma.task.findMany({
        where: {
          userId: ownerId,
          ...(query.completed === undefined ? {} : { completed: query.completed }),
          ...(after && {
            OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
          }),
        },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        // One extra row tells whether another page exists without a count query.
        take: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map(toTaskDto),
        nextCursor: rows.length > query.limit && last ? encodeTaskCursor(last) : null,
      };
    },

    async create(ownerId: string, body: CreateTaskBody): Promise<Task> {
      const row = await prisma.task.create({
        data: { userId: ownerId, title: body.title, description: body.description ?? null },
      });
      return toTaskDto(row);
    },

    async get(ownerId: string, taskId: string): Promise<Task> {
      if (!isUuid(taskId)) throw notFound();
      const row = await prisma.task.findFirst({ where: { id: taskId, userId: ownerId } });
      if (!row) throw notFound();
      return toTaskDto(row);
    },

    async update(ownerId: string, taskId: string, body: UpdateTaskBody): Promise<Task> {
      if (!isUuid(taskId)) throw notFound();
      // updateMany scopes by owner in the WHERE clause; RETURNING keeps it to one round trip.
      const rows = await prisma.task.updateManyAndReturn({
        where: { id: taskId, userId: ownerId },
        data: {
          ...(body.title !== undefined && { title: body.title }),
          ...(body.description !== undefined && { description: body.description }),
          ...(body.completed !== undefined && { completed: body.completed }),
        },
      });
      const row = rows[0];
      if (!row) throw notFound();
      return toTaskDto(row);
    },

    async remove(ownerId: string, taskId: string): Promise<void> {
      if (!isUuid(taskId)) throw notFound();
      const { count } = await prisma.task.deleteMany({ where: { id: taskId, userId: ownerId } });
      if (count === 0) throw notFound();
    },

    /** Flips `completed` in one UPDATE, so concurrent toggles never lose a flip. */
    async toggleComplete(ownerId: string, taskId: string): Promise<Task> {
      if (!isUuid(taskId)) throw notFound();
      const rows = await prisma.$queryRaw<TaskRow[]>`
        UPDATE tasks SET completed = NOT completed, updated_at = now()
        WHERE id = ${taskId}::uuid AND user_id = ${ownerId}
        RETURNING id, user_id AS "userId", title, description, completed,
                  created_at AS "createdAt", updated_at AS "updatedAt"`;
      const row = rows[0];
      if (!row) throw notFound();
      return toTaskDto(row);
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
