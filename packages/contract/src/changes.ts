import { initContract } from "@ts-rest/core";
import { z } from "zod/v3";
import { hasNoNul, NO_NUL_MESSAGE, UserIdParamSchema } from "./common.js";
import { AuthenticatedErrorResponses, ErrorResponseSchema } from "./errors.js";
import { TaskListSchema } from "./lists.js";
import { API_PATH_PREFIX, changesRoutes } from "./routes.js";
import { TaskSchema } from "./tasks.js";

const c = initContract();

export const CHANGES_PAGE_SIZE_DEFAULT = 500;
export const CHANGES_PAGE_SIZE_MAX = 1000;

/**
 * A list as the changes feed carries it: its own fields. The active and completed counts of `GET …/lists`
 * follow from the tasks a client holds, so a task's change never has to resend its list.
 */
export const SyncListSchema = TaskListSchema.omit({ activeCount: true, completedCount: true });
export type SyncList = z.infer<typeof SyncListSchema>;

export const ChangesQuerySchema = z.object({
  /** Opaque: the `cursor` of the previous page. Absent: the whole current state. */
  cursor: z.string().min(1).max(512).refine(hasNoNul, NO_NUL_MESSAGE).optional(),
  limit: z.coerce
    .number({ message: "Must be a whole number" })
    .int({ message: "Must be a whole number" })
    .min(1)
    .max(CHANGES_PAGE_SIZE_MAX)
    .default(CHANGES_PAGE_SIZE_DEFAULT),
});
export type ChangesQuery = z.infer<typeof ChangesQuerySchema>;

export const ChangesPageSchema = z.object({
  /** Current state of every task created or changed since the cursor (on this page). */
  tasks: z.array(TaskSchema),
  /** Current state of every list created or renamed since the cursor (on this page). */
  lists: z.array(SyncListSchema),
  /** Tasks deleted since the cursor (possibly some the client never had). */
  deletedTaskIds: z.array(z.string().uuid()),
  /** Lists deleted since the cursor; their tasks are in `deletedTaskIds`. */
  deletedListIds: z.array(z.string().uuid()),
  /** Pass it back as `cursor`, on the next page or the next sync. */
  cursor: z.string(),
  /** More changes wait: ask again with `cursor` right away. */
  hasMore: z.boolean(),
});
export type ChangesPage = z.infer<typeof ChangesPageSchema>;

export const changesContract = c.router(
  {
    get: {
      ...changesRoutes.get,
      pathParams: z.object({ userId: UserIdParamSchema }),
      query: ChangesQuerySchema,
      responses: {
        200: ChangesPageSchema,
        ...AuthenticatedErrorResponses,
        403: ErrorResponseSchema,
        410: ErrorResponseSchema,
      },
      summary: "Sync: the tasks and lists changed since a cursor",
      description:
        "Without `cursor`: the whole current state, in pages. With the `cursor` of the previous answer: what " +
        "changed after it (current state of changed tasks and lists, ids of deleted ones). Apply every page and " +
        "keep the last `cursor`; while `hasMore`, ask again at once. No change is ever skipped, even while other " +
        "clients write; one may arrive twice (applying it again is harmless). A cursor older than the deleted-item " +
        "history (`SYNC_TOMBSTONE_TTL`, default 30 days) gets 410 `CURSOR_EXPIRED`: sync again without a cursor.",
    },
  },
  { pathPrefix: API_PATH_PREFIX },
);
