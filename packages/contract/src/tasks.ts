import { initContract } from "@ts-rest/core";
import { z } from "zod/v3";
import { displayTextRules, hasNoNul, NO_NUL_MESSAGE, TimestampSchema, UserIdParamSchema } from "./common.js";
import { AuthenticatedErrorResponses, ErrorResponseSchema } from "./errors.js";
import { API_PATH_PREFIX, taskRoutes } from "./routes.js";

const c = initContract();

export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 1000;
export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 100;

export const TaskSchema = z.object({
  id: z.string().uuid(),
  userId: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  completed: z.boolean(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
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
  .object({ title: TitleSchema, description: DescriptionSchema.optional() })
  .strict();
export type CreateTaskBody = z.infer<typeof CreateTaskBodySchema>;

/** PUT with partial semantics: absent fields stay as they are; `description: null` clears it. */
export const UpdateTaskBodySchema = z
  .object({
    title: TitleSchema.optional(),
    description: DescriptionSchema.optional(),
    completed: z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.title !== undefined || b.description !== undefined || b.completed !== undefined, {
    message: "Provide at least one of title, description, completed",
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
  /** Opaque: pass back `nextCursor` from the previous page. */
  cursor: z.string().min(1).max(512).refine(hasNoNul, NO_NUL_MESSAGE).optional(),
});
export type ListTasksQuery = z.infer<typeof ListTasksQuerySchema>;

export const TaskPageSchema = z.object({ items: z.array(TaskSchema), nextCursor: z.string().nullable() });
export type TaskPage = z.infer<typeof TaskPageSchema>;

const OwnerPathParamsSchema = z.object({ userId: UserIdParamSchema });
const TaskPathParamsSchema = z.object({ userId: UserIdParamSchema, id: z.string() });

// Not `as const`, like the shared error maps (see CommonErrorResponses).
const ownerErrors = { ...AuthenticatedErrorResponses, 403: ErrorResponseSchema };
const taskErrors = { ...ownerErrors, 404: ErrorResponseSchema };

export const tasksContract = c.router(
  {
    list: {
      ...taskRoutes.list,
      pathParams: OwnerPathParamsSchema,
      query: ListTasksQuerySchema,
      responses: { 200: TaskPageSchema, ...ownerErrors },
      summary: "List the user's tasks",
      description: "Oldest first (createdAt, then id), stable across pages. Continue with `cursor=nextCursor`.",
    },
    create: {
      ...taskRoutes.create,
      pathParams: OwnerPathParamsSchema,
      body: CreateTaskBodySchema,
      responses: { 201: TaskSchema, ...ownerErrors },
      summary: "Create a task",
    },
    get: {
      ...taskRoutes.get,
      pathParams: TaskPathParamsSchema,
      responses: { 200: TaskSchema, ...taskErrors },
      summary: "Get one task",
    },
    update: {
      ...taskRoutes.update,
      pathParams: TaskPathParamsSchema,
      body: UpdateTaskBodySchema,
      responses: { 200: TaskSchema, ...taskErrors },
      summary: "Update a task",
      description: "Fields left out stay unchanged; `description: null` clears the description.",
    },
    delete: {
      ...taskRoutes.delete,
      pathParams: TaskPathParamsSchema,
      body: c.noBody(),
      responses: { 204: c.noBody(), ...taskErrors },
      summary: "Delete a task",
    },
    toggleComplete: {
      ...taskRoutes.toggleComplete,
      pathParams: TaskPathParamsSchema,
      body: c.noBody(),
      responses: { 200: TaskSchema, ...taskErrors },
      summary: "Toggle a task's completed flag",
      description: "Atomic: concurrent toggles each flip the stored value once.",
    },
  },
  { pathPrefix: API_PATH_PREFIX },
);
