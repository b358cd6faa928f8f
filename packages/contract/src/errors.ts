import { z } from "zod";

/**
 * Every error code the API can answer with, and the HTTP status each one always maps to.
 * Servers and clients share this table so a code never drifts from its status.
 */
export const ERROR_STATUS = {
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ErrorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

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
