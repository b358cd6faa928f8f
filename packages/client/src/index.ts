export type {
  CreateTaskBody,
  ErrorCode,
  ErrorDetail,
  ErrorResponse,
  ListTasksQuery,
  LoginBody,
  MeResponse,
  RegisterBody,
  Session,
  Task,
  TaskPage,
  UpdateTaskBody,
  User,
} from "@todo/contract";
export { ResponseValidationError } from "@ts-rest/core";
export { createTodoClient, type FetchLike, type TodoApi, type TodoClient, type TodoClientOptions } from "./client.js";
export type { SignedOutEvent } from "./token-refresher.js";
export {
  type KeyValueStorage,
  memoryTokenStore,
  type TokenStore,
  type Tokens,
  webStorageTokenStore,
} from "./token-store.js";
