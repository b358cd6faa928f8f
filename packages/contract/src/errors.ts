import { z } from "zod/v3";

/**
 * Every error code the API can answer with: the HTTP status it always maps to and what it means. The one
 * home of that knowledge: the server's error responses, the OpenAPI document's status descriptions and
 * the error codes of docs/api.md are all derived from it.
 */
export const ERROR_CODES = {
  MALFORMED_JSON: { status: 400, description: "the body is not valid JSON." },
  BAD_REQUEST: {
    status: 400,
    description: "the request itself cannot be read, e.g. a path with broken percent-encoding (`%ZZ`).",
  },
  INVALID_RESET_TOKEN: {
    status: 400,
    description: "the password-reset token is unknown, already used, expired or superseded; ask for a new link.",
  },
  UNAUTHORIZED: {
    status: 401,
    description:
      "no access token, or one that is malformed, expired, not yet valid or whose sign-in has ended; " +
      "on `auth/refresh`, an unknown, expired, revoked or already used refresh token.",
  },
  INVALID_CREDENTIALS: {
    status: 401,
    description: "wrong email or password, the same answer whether or not the email exists.",
    otherStatuses: {
      403:
        "the password a signed-in person re-entered (change password, delete account) is wrong, or the account " +
        "has none; 403, not 401, because the access token itself is fine.",
    },
  },
  FORBIDDEN: { status: 403, description: "the token is valid, but `{userId}` in the path is not the token's user." },
  NOT_FOUND: {
    status: 404,
    description: "no such task, list or sign-in for this user (including ids that are not valid ids).",
  },
  EMAIL_TAKEN: { status: 409, description: "an account with this email already exists." },
  LIST_NAME_TAKEN: { status: 409, description: "the user already has a list of this name (ignoring case)." },
  QUOTA_EXCEEDED: {
    status: 409,
    description:
      "the user already has as many tasks (`MAX_TASKS_PER_USER`) or lists (`MAX_LISTS_PER_USER`) as allowed.",
  },
  IDEMPOTENCY_KEY_IN_USE: {
    status: 409,
    description:
      "a request with this `Idempotency-Key` is still being processed; retry shortly (`Retry-After`) to get its answer.",
  },
  IDEMPOTENCY_KEY_RESOURCE_DELETED: {
    status: 409,
    description:
      "this `Idempotency-Key`'s first request created the task or list, did not live to keep its answer, and the resource has since been deleted: nothing was created, and retries get this answer.",
  },
  CURSOR_EXPIRED: {
    status: 410,
    description:
      "the sync cursor is older than the deleted-item history the server keeps (`SYNC_TOMBSTONE_TTL`); sync again from scratch, without a cursor.",
  },
  PRECONDITION_FAILED: {
    status: 412,
    description:
      "the task changed since the `If-Match` ETag was read (or no longer matches it): nothing was changed. Read it again and reapply the edit.",
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    description: "the body is larger than the server's limit (16 KiB by default).",
  },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: "a body that is not `application/json`." },
  VALIDATION_FAILED: {
    status: 422,
    description:
      "the body, query or path failed validation, unknown body fields included. " +
      "`error.details` has one entry per problem: `{ location, field, message, code }`.",
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    description: "this `Idempotency-Key` was already used for a different request (another route or body).",
  },
  RATE_LIMITED: { status: 429, description: "too many attempts; retry after `Retry-After` seconds." },
  INTERNAL_ERROR: {
    status: 500,
    description: "an unexpected fault. The body never carries stack traces or SQL.",
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    description:
      "the database or a Better Auth key set is unreachable, password hashing is saturated, " +
      "the request ran past its deadline, or the server is shutting down.",
  },
  MAIL_UNAVAILABLE: {
    status: 503,
    description: "no mail server is configured (`SMTP_URL`) in production, so no reset link can be sent.",
  },
} as const satisfies Record<
  string,
  {
    status: number;
    description: string;
    /** Further statuses the code can come with, each with its meaning there. */
    otherStatuses?: Readonly<Record<number, string>>;
  }
>;

/** Each code with each status it can come with, and what it means with that status, in table order. */
export function errorCodeStatuses(): { code: ErrorCode; status: number; description: string }[] {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).flatMap((code) => {
    const entry: { status: number; description: string; otherStatuses?: Readonly<Record<number, string>> } =
      ERROR_CODES[code];
    return [
      { code, status: entry.status, description: entry.description },
      ...Object.entries(entry.otherStatuses ?? {}).map(([status, description]) => ({
        code,
        status: Number(status),
        description,
      })),
    ];
  });
}

/** Whether `code` can come with `status`. */
export const errorCodeAllows = (code: ErrorCode, status: number): boolean =>
  errorCodeStatuses().some((entry) => entry.code === code && entry.status === status);

/** Each code's (main) status, derived from ERROR_CODES. */
export const ERROR_STATUS = Object.fromEntries(
  Object.entries(ERROR_CODES).map(([code, { status }]) => [code, status]),
) as { readonly [C in ErrorCode]: (typeof ERROR_CODES)[C]["status"] };

/** What a status means anywhere in the API: "`CODE`: meaning" for each code it can carry, in table order. */
export function describeErrorStatus(status: number, only?: readonly ErrorCode[]): string | undefined {
  const lines = errorCodeStatuses()
    .filter((entry) => entry.status === status && (!only || only.includes(entry.code)))
    .map((entry) => `\`${entry.code}\`: ${entry.description}`);
  return lines.length > 0 ? lines.join(" ") : undefined;
}

export type ErrorCode = keyof typeof ERROR_CODES;
export const ErrorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/** One problem with one part of a request (422), e.g. `{ location: "body", field: "title", ... }`. */
export const ErrorDetailSchema = z.object({
  location: z.enum(["body", "query", "path", "header"]),
  /** Dotted path inside that location; empty for the location as a whole. */
  field: z.string(),
  message: z.string(),
  /** Machine-readable reason, e.g. `too_big`, `unrecognized_keys`, `invalid_type`. */
  code: z.string(),
});
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

/** The one error body of the API: `{ error: { code, message, details } }`. */
export const ErrorResponseSchema = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
    details: z.array(ErrorDetailSchema),
  }),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/** An error body, as the server sends it. */
export function errorBody(code: ErrorCode, message: string, details: ErrorDetail[] = []): ErrorResponse {
  return { error: { code, message, details } };
}

/**
 * Errors any route can produce: broken JSON, too large a body, a failed validation, a server or database fault.
 * Not `as const`: ts-rest turns the keys of a spread readonly object into strings ("422"), and clients then
 * type those statuses' bodies as `unknown`.
 */
export const CommonErrorResponses = {
  400: ErrorResponseSchema,
  413: ErrorResponseSchema,
  415: ErrorResponseSchema,
  422: ErrorResponseSchema,
  500: ErrorResponseSchema,
  503: ErrorResponseSchema,
};

/** Errors of routes that need a Bearer access token. */
export const AuthenticatedErrorResponses = {
  ...CommonErrorResponses,
  401: ErrorResponseSchema,
};
