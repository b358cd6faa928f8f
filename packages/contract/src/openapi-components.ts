// What the published OpenAPI document names and shows, kept with the schemas it is about. Plain data:
// the API's document generator (apps/api/src/openapi) turns it into components and examples.
import type { ZodTypeAny } from "zod/v3";
import {
  AccountExportSchema,
  ChangePasswordBodySchema,
  DeleteAccountBodySchema,
  PasswordResetConfirmBodySchema,
  PasswordResetRequestBodySchema,
  SignInListSchema,
  SignInSchema,
} from "./accounts.js";
import {
  LoginBodySchema,
  MeResponseSchema,
  RefreshTokenBodySchema,
  RegisterBodySchema,
  SessionTokensSchema,
  UserSchema,
} from "./auth.js";
import { ErrorDetailSchema, type ErrorResponse, ErrorResponseSchema } from "./errors.js";
import { ListBodySchema, TaskListCollectionSchema, TaskListSchema } from "./lists.js";
import {
  ClearCompletedResultSchema,
  CreateTaskBodySchema,
  MoveTaskBodySchema,
  TaskPageSchema,
  TaskSchema,
  TaskSummarySchema,
  UpdateTaskBodySchema,
} from "./tasks.js";

/**
 * Schemas published as named components, so third-party generators produce `Task`, `ErrorResponse` ...
 * instead of one anonymous type per response. Request bodies are described by their input (before
 * trimming/defaults), responses by their output.
 */
export const OPENAPI_RESPONSE_COMPONENTS: Record<string, ZodTypeAny> = {
  ErrorResponse: ErrorResponseSchema,
  ErrorDetail: ErrorDetailSchema,
  User: UserSchema,
  SessionTokens: SessionTokensSchema,
  MeResponse: MeResponseSchema,
  Task: TaskSchema,
  TaskPage: TaskPageSchema,
  TaskSummary: TaskSummarySchema,
  ClearCompletedResult: ClearCompletedResultSchema,
  TaskList: TaskListSchema,
  TaskListCollection: TaskListCollectionSchema,
  SignIn: SignInSchema,
  SignInList: SignInListSchema,
  AccountExport: AccountExportSchema,
};
export const OPENAPI_REQUEST_COMPONENTS: Record<string, ZodTypeAny> = {
  RegisterBody: RegisterBodySchema,
  LoginBody: LoginBodySchema,
  RefreshTokenBody: RefreshTokenBodySchema,
  CreateTaskBody: CreateTaskBodySchema,
  UpdateTaskBody: UpdateTaskBodySchema,
  MoveTaskBody: MoveTaskBodySchema,
  ListBody: ListBodySchema,
  PasswordResetRequestBody: PasswordResetRequestBodySchema,
  PasswordResetConfirmBody: PasswordResetConfirmBodySchema,
  ChangePasswordBody: ChangePasswordBodySchema,
  DeleteAccountBody: DeleteAccountBodySchema,
};

/** The example shown for every 422 response. */
export const VALIDATION_ERROR_EXAMPLE: ErrorResponse = {
  error: {
    code: "VALIDATION_FAILED",
    message: "Request validation failed",
    details: [
      { location: "body", field: "title", message: "Must not be empty", code: "too_small" },
      { location: "body", field: "userId", message: "Unknown field", code: "unrecognized_keys" },
    ],
  },
};
