import { initContract } from "@ts-rest/core";
import { z } from "zod/v3";
import { hasNoNul, NO_NUL_MESSAGE, TimestampSchema, UserIdParamSchema } from "./common.js";
import { AuthenticatedErrorResponses, ErrorResponseSchema } from "./errors.js";
import { IDEMPOTENT_CREATE_DESCRIPTION, IdempotencyKeyHeadersSchema } from "./headers.js";
import { API_PATH_PREFIX, listRoutes } from "./routes.js";

const c = initContract();

export const LIST_NAME_MAX_LENGTH = 100;

/** A list of tasks, with live counts of its active and completed tasks. */
export const TaskListSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  activeCount: z.number().int(),
  completedCount: z.number().int(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type TaskList = z.infer<typeof TaskListSchema>;

export const TaskListCollectionSchema = z.object({ items: z.array(TaskListSchema) });
export type TaskListCollection = z.infer<typeof TaskListCollectionSchema>;

const ListNameSchema = z
  .string()
  .trim()
  .min(1, { message: "Must not be empty" })
  .max(LIST_NAME_MAX_LENGTH, { message: `Must be at most ${LIST_NAME_MAX_LENGTH} characters` })
  .refine(hasNoNul, NO_NUL_MESSAGE);

/** `{ name }`: trimmed, 1–100 characters, unique per user ignoring case. */
export const ListBodySchema = z.object({ name: ListNameSchema }).strict();
export type ListBody = z.infer<typeof ListBodySchema>;

const OwnerPathParamsSchema = z.object({ userId: UserIdParamSchema });
const ListPathParamsSchema = z.object({ userId: UserIdParamSchema, listId: z.string() });

const ownerErrors = { ...AuthenticatedErrorResponses, 403: ErrorResponseSchema };
const listErrors = { ...ownerErrors, 404: ErrorResponseSchema };

export const listsContract = c.router(
  {
    list: {
      ...listRoutes.list,
      pathParams: OwnerPathParamsSchema,
      responses: { 200: TaskListCollectionSchema, ...ownerErrors },
      summary: "List the user's lists",
      description: "All of them, oldest first, each with its counts of active and completed tasks.",
    },
    create: {
      ...listRoutes.create,
      pathParams: OwnerPathParamsSchema,
      headers: IdempotencyKeyHeadersSchema,
      body: ListBodySchema,
      responses: { 201: TaskListSchema, ...ownerErrors, 409: ErrorResponseSchema },
      summary: "Create a list",
      description:
        "409 `LIST_NAME_TAKEN` when the user has a list of that name in any case; 409 `QUOTA_EXCEEDED` past " +
        "`MAX_LISTS_PER_USER`. " +
        IDEMPOTENT_CREATE_DESCRIPTION,
    },
    get: {
      ...listRoutes.get,
      pathParams: ListPathParamsSchema,
      responses: { 200: TaskListSchema, ...listErrors },
      summary: "Get one list",
    },
    update: {
      ...listRoutes.update,
      pathParams: ListPathParamsSchema,
      body: ListBodySchema,
      responses: { 200: TaskListSchema, ...listErrors, 409: ErrorResponseSchema },
      summary: "Rename a list",
      description: "409 `LIST_NAME_TAKEN` when another of the user's lists has that name in any case.",
    },
    delete: {
      ...listRoutes.delete,
      pathParams: ListPathParamsSchema,
      body: c.noBody(),
      responses: { 204: c.noBody(), ...listErrors },
      summary: "Delete a list and its tasks",
      description: "The list and every task in it go in one transaction.",
    },
  },
  { pathPrefix: API_PATH_PREFIX },
);
