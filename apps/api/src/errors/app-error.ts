import { ERROR_STATUS, type ErrorCode, type ErrorDetail, type ErrorResponse, errorCodeAllows } from "@todo/contract";

/**
 * The one error type of the API. Services throw it; the error middleware turns it into
 * `{ error: { code, message, details } }` with the status the contract assigns to the code.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
    readonly headers: Readonly<Record<string, string>> = {},
    /** Another status the contract allows for the code (ERROR_CODES' `otherStatuses`); the code's own by default. */
    status?: number,
  ) {
    super(message);
    this.name = "AppError";
    if (status !== undefined && !errorCodeAllows(code, status)) throw new Error(`${code} never comes with ${status}`);
    this.status = status ?? ERROR_STATUS[code];
  }

  toBody(): ErrorResponse {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const notFound = (what = "Task"): AppError => new AppError("NOT_FOUND", `${what} not found`);
export const forbidden = (): AppError => new AppError("FORBIDDEN", "You may only access your own resources");
export const serviceUnavailable = (): AppError =>
  new AppError("SERVICE_UNAVAILABLE", "The database is unavailable; try again shortly", [], { "Retry-After": "5" });
