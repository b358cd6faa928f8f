import { AppError } from "../errors/app-error.js";
import { isUuid } from "../lib/uuid.js";

/** Position after the last task of a page: keyset pagination on (createdAt, id). */
export interface TaskCursor {
  createdAt: Date;
  id: string;
}

export function encodeTaskCursor(cursor: TaskCursor): string {
  return Buffer.from(`${cursor.createdAt.getTime()}:${cursor.id}`, "utf8").toString("base64url");
}

/** Cursors are opaque to clients, so a tampered or foreign one is a validation error on `cursor`. */
export function decodeTaskCursor(raw: string): TaskCursor {
  const decoded = Buffer.from(raw, "base64url").toString("utf8");
  const match = /^(\d{1,15}):(.+)$/.exec(decoded);
  const millis = match ? Number(match[1]) : Number.NaN;
  const id = match?.[2];
  if (!id || !isUuid(id) || !Number.isSafeInteger(millis)) {
    throw new AppError("VALIDATION_FAILED", "Request validation failed", [
      {
        location: "query",
        field: "cursor",
        message: "Invalid cursor; pass nextCursor from a previous page",
        code: "invalid_cursor",
      },
    ]);
  }
  return { createdAt: new Date(millis), id };
}
