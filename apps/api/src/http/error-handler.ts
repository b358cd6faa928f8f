import type { ErrorCode, ErrorDetail } from "@todo/contract";
import { RequestValidationError } from "@ts-rest/express";
import type { NextFunction, Request, Response } from "express";
import { HashQueueFullError } from "../auth/hash-pool.js";
import { isDatabaseUnavailable, isOwnerGone } from "../db/database-errors.js";
import { AppError, serviceUnavailable } from "../errors/app-error.js";
import { zodErrorToDetails } from "../lib/zod-details.js";

/** body-parser's error types for a client's broken request body. */
const BODY_PARSER_ERRORS: Record<string, () => AppError> = {
  "entity.parse.failed": () => new AppError("MALFORMED_JSON", "Request body is not valid JSON"),
  "entity.too.large": () => new AppError("PAYLOAD_TOO_LARGE", "Request body is too large"),
  "encoding.unsupported": () => new AppError("UNSUPPORTED_MEDIA_TYPE", "Unsupported content encoding"),
  "charset.unsupported": () => new AppError("UNSUPPORTED_MEDIA_TYPE", "Unsupported charset"),
  "request.aborted": () => new AppError("MALFORMED_JSON", "Request body was aborted"),
  "request.size.invalid": () => new AppError("MALFORMED_JSON", "Request body size does not match Content-Length"),
};

export function validationError(err: RequestValidationError): AppError {
  const details: ErrorDetail[] = [
    ...(err.pathParams ? zodErrorToDetails(err.pathParams, "path") : []),
    ...(err.headers ? zodErrorToDetails(err.headers, "header") : []),
    ...(err.query ? zodErrorToDetails(err.query, "query") : []),
    ...(err.body ? zodErrorToDetails(err.body, "body") : []),
  ];
  return new AppError("VALIDATION_FAILED", "Request validation failed", details);
}

/** The 4xx statuses of Express's and its middleware's own errors that have a code of the same status. */
const CLIENT_ERROR_CODES: Partial<Record<number, ErrorCode>> = {
  404: "NOT_FOUND",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/**
 * Express and its middleware (router, body-parser, serve-static) mark a client's fault with a 4xx `status`:
 * e.g. the router's URIError for a path parameter with broken percent-encoding (`/api/v1/%ZZ/tasks`).
 */
function clientError(err: unknown): AppError | undefined {
  const { status, statusCode } = (err ?? {}) as { status?: unknown; statusCode?: unknown };
  const code = typeof status === "number" ? status : statusCode;
  if (typeof code !== "number" || code < 400 || code > 499) return undefined;
  if (err instanceof URIError) return new AppError("BAD_REQUEST", "The request URL has invalid percent-encoding");
  const known = CLIENT_ERROR_CODES[code];
  return known ? new AppError(known, "The request was refused") : new AppError("BAD_REQUEST", "Bad request");
}

function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof RequestValidationError) return validationError(err);
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type === "string" && BODY_PARSER_ERRORS[type]) return BODY_PARSER_ERRORS[type]();
  if (err instanceof HashQueueFullError) {
    return new AppError("SERVICE_UNAVAILABLE", "Too many sign-ins in progress; try again shortly", [], {
      "Retry-After": String(err.retryAfterSeconds),
    });
  }
  if (isDatabaseUnavailable(err)) return serviceUnavailable();
  if (isOwnerGone(err)) {
    // The account was deleted while this request ran (see isOwnerGone): its token is no longer anyone's.
    return new AppError("UNAUTHORIZED", "The account no longer exists", [], {
      "WWW-Authenticate": 'Bearer realm="todo-api", error="invalid_token"',
    });
  }
  return clientError(err);
}

/**
 * Outcomes of a request whose response has already ended: the late handler's own attempt to answer after
 * the deadline's 503, or work abandoned because the request ended (see the router's `requestEnded`).
 */
const isAfterTheEnd = (err: unknown): boolean => {
  const { code, name } = (err ?? {}) as { code?: unknown; name?: unknown };
  return code === "ERR_HTTP_HEADERS_SENT" || name === "AbortError";
};

export function sendError(res: Response, error: AppError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.status(error.status).json(error.toBody());
}

/** The last middleware: every error leaves as the one JSON error body, never with a stack or SQL. */
export function errorHandler() {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    if (isAfterTheEnd(err) || (res.headersSent && toAppError(err))) {
      // The response already left (the request deadline answered 503, or the client went away): this
      // outcome arrived too late to matter and is no fault of ours.
      res.locals.log?.info({ err: { message: (err as Error).message } }, "late outcome after the response was sent");
      res.end();
      return;
    }
    const known = toAppError(err);
    const error = known ?? new AppError("INTERNAL_ERROR", "Internal server error");
    if (!known) res.locals.log?.error({ err }, "unhandled error");
    else if (err instanceof HashQueueFullError) res.locals.log?.warn("password hashing queue full");
    else if (error.code === "SERVICE_UNAVAILABLE")
      res.locals.log?.warn({ err: { message: (err as Error).message } }, "database unavailable");
    if (res.headersSent) {
      res.end();
      return;
    }
    sendError(res, error);
  };
}

export function notFoundHandler() {
  return (_req: Request, res: Response): void => {
    sendError(res, new AppError("NOT_FOUND", "No such route"));
  };
}
