import type { ErrorDetail } from "@todo/contract";
import { RequestValidationError } from "@ts-rest/express";
import type { NextFunction, Request, Response } from "express";
import { isDatabaseUnavailable } from "../db/database-errors.js";
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

function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof RequestValidationError) return validationError(err);
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type === "string" && BODY_PARSER_ERRORS[type]) return BODY_PARSER_ERRORS[type]();
  if (isDatabaseUnavailable(err)) return serviceUnavailable();
  return undefined;
}

export function sendError(res: Response, error: AppError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.status(error.status).json(error.toBody());
}

/** The last middleware: every error leaves as the one JSON error body, never with a stack or SQL. */
export function errorHandler() {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const known = toAppError(err);
    const error = known ?? new AppError("INTERNAL_ERROR", "Internal server error");
    if (!known) res.locals.log?.error({ err }, "unhandled error");
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
