import { routeTable } from "@todo/contract/routes";
import { type CreateTodoClient, createClient } from "./client.js";

export type {
  ChangesPage,
  ChangesQuery,
  ClearCompletedQuery,
  ClearCompletedResult,
  CreateTaskBody,
  ErrorCode,
  ErrorDetail,
  ErrorResponse,
  ListBody,
  ListTasksQuery,
  LoginBody,
  MeResponse,
  MoveTaskBody,
  Priority,
  RegisterBody,
  SessionTokens,
  SyncList,
  Task,
  TaskList,
  TaskListCollection,
  TaskPage,
  TaskSort,
  TaskSummary,
  TaskSummaryQuery,
  UpdateTaskBody,
  User,
} from "@todo/contract";
export type {
  CreateTodoClient,
  ExternalTokenClient,
  ExternalTokenClientOptions,
  TodoClient,
  TodoClientOptions,
} from "./client.js";
export { type FetchLike, newIdempotencyKey } from "./http.js";
export {
  type ChangesApi,
  createSyncer,
  type SyncedCopy,
  type Syncer,
  type SyncOptions,
  type SyncOutcome,
} from "./sync.js";
export type { RenewOutcome, SignedOutEvent } from "./token-refresher.js";
export {
  accessTokenStore,
  type KeyValueStorage,
  memoryTokenStore,
  type StoredTokens,
  type TokenStore,
  type Tokens,
  webStorageTokenStore,
} from "./token-store.js";
export type { ConditionalOptions, RequestOptions, RouteResponse, TodoApi } from "./types.js";

/**
 * A typed client for the Todo API. Routes come from a table without schemas, so the browser bundle carries no
 * zod; `@todo/client/validation` exports the same function that also checks every response against the contract.
 */
export const createTodoClient: CreateTodoClient = (options) => createClient(routeTable, options) as never;
