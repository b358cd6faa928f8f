import { initContract } from "@ts-rest/core";
import { z } from "zod/v3";
import { displayTextRules, hasNoNul, NO_NUL_MESSAGE, TimestampSchema, UserIdParamSchema } from "./common.js";
import { AuthenticatedErrorResponses, ErrorResponseSchema } from "./errors.js";
import {
  IDEMPOTENT_CREATE_DESCRIPTION,
  IdempotencyKeyHeadersSchema,
  IF_MATCH_DESCRIPTION,
  IfMatchHeadersSchema,
  IfNoneMatchHeadersSchema,
} from "./headers.js";
import { API_PATH_PREFIX, taskRoutes } from "./routes.js";

const c = initContract();

export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 1000;
export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 100;
export const SEARCH_MAX_LENGTH = 200;

export const TASK_PRIORITIES = ["none", "low", "medium", "high"] as const;
export const PrioritySchema = z.enum(TASK_PRIORITIES, { message: "Must be one of none, low, medium, high" });
export type Priority = z.infer<typeof PrioritySchema>;

export const TASK_SORTS = ["manual", "created", "due", "priority", "updated"] as const;
export const TaskSortSchema = z.enum(TASK_SORTS, { message: "Must be one of manual, created, due, priority, updated" });
export type TaskSort = z.infer<typeof TaskSortSchema>;

/** A real calendar day, years 0001–9999. */
function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A calendar date without a time zone: `YYYY-MM-DD`. */
export const DateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "Must be a calendar date YYYY-MM-DD" })
  .refine(isCalendarDate, { message: "Must be a calendar date YYYY-MM-DD" });

/** List ids are UUIDs; in query strings `none` stands for "in no list". */
const ListIdSchema = z.string().uuid({ message: "Must be a list id" });

export const TaskSchema = z.object({
  id: z.string().uuid(),
  userId: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  completed: z.boolean(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  /** The list the task is in, or `null` for none. */
  listId: z.string().uuid().nullable(),
  /** A calendar date `YYYY-MM-DD` (no time zone) or `null`. */
  dueDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable(),
  priority: PrioritySchema,
  /** The task's place in its owner's manual order: compare as plain code-unit strings. */
  position: z.string(),
  /** When the task was last completed; `null` while it is active. */
  completedAt: TimestampSchema.nullable(),
  /** 1 at creation, +1 on every change. A single-task response's `ETag` is this version, quoted (`"3"`). */
  version: z.number().int().positive(),
});
export type Task = z.infer<typeof TaskSchema>;

const TitleSchema = z
  .string()
  .trim()
  .min(1, { message: "Must not be empty" })
  .max(TITLE_MAX_LENGTH, { message: `Must be at most ${TITLE_MAX_LENGTH} characters` })
  .refine(hasNoNul, NO_NUL_MESSAGE)
  .superRefine(displayTextRules({ requireVisible: true }));
const DescriptionSchema = z
  .string()
  .max(DESCRIPTION_MAX_LENGTH, { message: `Must be at most ${DESCRIPTION_MAX_LENGTH} characters` })
  .refine(hasNoNul, NO_NUL_MESSAGE)
  .superRefine(displayTextRules({ requireVisible: true }))
  .nullable();

export const CreateTaskBodySchema = z
  .object({
    title: TitleSchema,
    description: DescriptionSchema.optional(),
    /** One of the caller's lists, or `null`/absent for none. Anyone else's list is a 422. */
    listId: ListIdSchema.nullable().optional(),
    dueDate: DateSchema.nullable().optional(),
    priority: PrioritySchema.optional(),
  })
  .strict();
export type CreateTaskBody = z.infer<typeof CreateTaskBodySchema>;

/** PUT with partial semantics: absent fields stay as they are; `description: null` clears it. */
export const UpdateTaskBodySchema = z
  .object({
    title: TitleSchema.optional(),
    description: DescriptionSchema.optional(),
    completed: z.boolean().optional(),
    listId: ListIdSchema.nullable().optional(),
    dueDate: DateSchema.nullable().optional(),
    priority: PrioritySchema.optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: "Provide at least one of title, description, completed, listId, dueDate, priority",
  });
export type UpdateTaskBody = z.infer<typeof UpdateTaskBodySchema>;

export const ListTasksQuerySchema = z.object({
  completed: z
    .enum(["true", "false"], { message: "Must be true or false" })
    .transform((v) => v === "true")
    .optional(),
  limit: z.coerce
    .number({ message: "Must be a whole number" })
    .int({ message: "Must be a whole number" })
    .min(1)
    .max(PAGE_SIZE_MAX)
    .default(PAGE_SIZE_DEFAULT),
  /** Opaque: pass back `nextCursor` from the previous page (of the same sort). */
  cursor: z.string().min(1).max(512).refine(hasNoNul, NO_NUL_MESSAGE).optional(),
  /** A list's id, or `none` for the tasks in no list. */
  listId: z.union([z.literal("none"), ListIdSchema]).optional(),
  /** Case-insensitive substring of the title or the description; `%` and `_` are literal. */
  q: z
    .string()
    .min(1, { message: "Must not be empty" })
    .max(SEARCH_MAX_LENGTH, { message: `Must be at most ${SEARCH_MAX_LENGTH} characters` })
    .refine(hasNoNul, NO_NUL_MESSAGE)
    .optional(),
  /** Due on or before this date; tasks without a due date are left out. */
  dueBefore: DateSchema.optional(),
  /** Due on or after this date; tasks without a due date are left out. */
  dueAfter: DateSchema.optional(),
  priority: PrioritySchema.optional(),
  sort: TaskSortSchema.default("manual"),
});
export type ListTasksQuery = z.infer<typeof ListTasksQuerySchema>;

export const TaskPageSchema = z.object({ items: z.array(TaskSchema), nextCursor: z.string().nullable() });
export type TaskPage = z.infer<typeof TaskPageSchema>;

/** Place the task right after `afterId` (one of the caller's tasks), or first with `null`. */
export const MoveTaskBodySchema = z.object({ afterId: z.string().max(255).nullable() }).strict();
export type MoveTaskBody = z.infer<typeof MoveTaskBodySchema>;

export const TaskSummaryQuerySchema = z.object({
  /** The caller's today, for `overdue` and `dueToday`; defaults to the server's UTC date. */
  today: DateSchema.optional(),
});
export type TaskSummaryQuery = z.infer<typeof TaskSummaryQuerySchema>;

export const TaskSummarySchema = z.object({
  total: z.number().int(),
  active: z.number().int(),
  completed: z.number().int(),
  /** Active tasks due before `today`. */
  overdue: z.number().int(),
  /** Active tasks due on `today`. */
  dueToday: z.number().int(),
});
export type TaskSummary = z.infer<typeof TaskSummarySchema>;

/** Only completed tasks are ever deleted in bulk: `completed=true` is required. */
export const ClearCompletedQuerySchema = z.object({
  completed: z.literal("true", {
    errorMap: () => ({ message: "Must be true: only completed tasks are cleared" }),
  }),
  /** Only in this list (`none`: only tasks in no list). */
  listId: z.union([z.literal("none"), ListIdSchema]).optional(),
});
export type ClearCompletedQuery = z.infer<typeof ClearCompletedQuerySchema>;

export const ClearCompletedResultSchema = z.object({ deleted: z.number().int() });
export type ClearCompletedResult = z.infer<typeof ClearCompletedResultSchema>;

const OwnerPathParamsSchema = z.object({ userId: UserIdParamSchema });
const TaskPathParamsSchema = z.object({ userId: UserIdParamSchema, id: z.string() });

// Not `as const`, like the shared error maps (see CommonErrorResponses).
const ownerErrors = { ...AuthenticatedErrorResponses, 403: ErrorResponseSchema };
const taskErrors = { ...ownerErrors, 404: ErrorResponseSchema };
const quotaErrors = { ...ownerErrors, 409: ErrorResponseSchema };
/** A write of one task with `If-Match`: 412 when the task changed since. */
const conditionalErrors = { ...taskErrors, 412: ErrorResponseSchema };

export const tasksContract = c.router(
  {
    list: {
      ...taskRoutes.list,
      pathParams: OwnerPathParamsSchema,
      query: ListTasksQuerySchema,
      responses: { 200: TaskPageSchema, ...ownerErrors },
      summary: "List the user's tasks",
      description:
        "Sorted by `sort`: `manual` (default: the owner's order, oldest first until a task is moved), `created` " +
        "(oldest first), `due` (soonest first, no date last), `priority` (high first), `updated` (newest first); " +
        "ties by manual order, then id. Stable across pages: continue with `cursor=nextCursor` and the same " +
        "query. Filters combine: `completed`, `listId` (`none`: no list), `q`, `dueBefore`/`dueAfter` " +
        "(inclusive; tasks without a due date are left out), `priority`.",
    },
    create: {
      ...taskRoutes.create,
      pathParams: OwnerPathParamsSchema,
      headers: IdempotencyKeyHeadersSchema,
      body: CreateTaskBodySchema,
      responses: { 201: TaskSchema, ...quotaErrors },
      summary: "Create a task",
      description:
        "The task goes to the end of the manual order. `listId` must be one of the caller's lists (else 422). " +
        "409 `QUOTA_EXCEEDED` past `MAX_TASKS_PER_USER`. " +
        IDEMPOTENT_CREATE_DESCRIPTION,
    },
    summary: {
      ...taskRoutes.summary,
      pathParams: OwnerPathParamsSchema,
      query: TaskSummaryQuerySchema,
      responses: { 200: TaskSummarySchema, ...ownerErrors },
      summary: "Count the user's tasks",
      description: "`overdue`: active tasks due before `today`; `dueToday`: active tasks due on `today`.",
    },
    clearCompleted: {
      ...taskRoutes.clearCompleted,
      pathParams: OwnerPathParamsSchema,
      query: ClearCompletedQuerySchema,
      body: c.noBody(),
      responses: { 200: ClearCompletedResultSchema, ...ownerErrors },
      summary: "Delete the user's completed tasks",
      description:
        "Requires `completed=true` (422 without it). With `listId`, only that list's (`none`: tasks in no list); " +
        "a `listId` that is not one of the caller's lists is a 422.",
    },
    get: {
      ...taskRoutes.get,
      pathParams: TaskPathParamsSchema,
      headers: IfNoneMatchHeadersSchema,
      responses: { 200: TaskSchema, 304: c.noBody(), ...taskErrors },
      summary: "Get one task",
      description:
        "With its `ETag`. `If-None-Match` with the current ETag (or `*`) answers 304 Not Modified without a body.",
    },
    update: {
      ...taskRoutes.update,
      pathParams: TaskPathParamsSchema,
      headers: IfMatchHeadersSchema,
      body: UpdateTaskBodySchema,
      responses: { 200: TaskSchema, ...conditionalErrors },
      summary: "Update a task",
      description:
        "Fields left out stay unchanged; `null` clears `description`, `listId` and `dueDate`. `listId` must be " +
        "one of the caller's lists (else 422). Setting `completed` sets or clears `completedAt`. " +
        IF_MATCH_DESCRIPTION,
    },
    delete: {
      ...taskRoutes.delete,
      pathParams: TaskPathParamsSchema,
      headers: IfMatchHeadersSchema,
      body: c.noBody(),
      responses: { 204: c.noBody(), ...conditionalErrors },
      summary: "Delete a task",
      description: IF_MATCH_DESCRIPTION,
    },
    toggleComplete: {
      ...taskRoutes.toggleComplete,
      pathParams: TaskPathParamsSchema,
      headers: IfMatchHeadersSchema,
      body: c.noBody(),
      responses: { 200: TaskSchema, ...conditionalErrors },
      summary: "Toggle a task's completed flag",
      description: `Atomic: concurrent toggles each flip the stored value once. ${IF_MATCH_DESCRIPTION}`,
    },
    move: {
      ...taskRoutes.move,
      pathParams: TaskPathParamsSchema,
      headers: IfMatchHeadersSchema,
      body: MoveTaskBodySchema,
      responses: { 200: TaskSchema, ...conditionalErrors },
      summary: "Move a task in the manual order",
      description:
        "Places the task right after `afterId` (another of the caller's tasks; else 422), or first with " +
        "`afterId: null`. Concurrent moves keep one total order with distinct positions. " +
        IF_MATCH_DESCRIPTION,
    },
  },
  { pathPrefix: API_PATH_PREFIX },
);
