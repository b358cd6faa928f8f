import { DateSchema, type ErrorDetail, type TaskSort } from "@todo/contract";
import { AppError } from "../errors/app-error.js";

/**
 * The last row of a page, by the keys of the page's sort: the sort key (none for `manual`), then the manual order
 * (`position`) and the id, which break ties. Keyset pagination continues strictly after it.
 */
export type TaskCursor = { position: string; id: string } & (
  | { sort: "manual" }
  | { sort: "created" | "updated"; key: Date }
  | { sort: "priority"; key: number }
  | { sort: "due"; key: string | null }
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** fractional-indexing's base-62 digits. */
const POSITION = /^[0-9A-Za-z]{1,255}$/;
/** Timestamps PostgreSQL and JavaScript both hold (years 1–9999). */
const MIN_MILLIS = Date.UTC(1, 0, 1) - 366 * 86_400_000;
const MAX_MILLIS = Date.UTC(9999, 11, 31);

export const isUuid = (value: string): boolean => UUID.test(value);

/** A 422 naming one query or body field. */
export function invalidQuery(location: ErrorDetail["location"], field: string, message: string, code: string) {
  return new AppError("VALIDATION_FAILED", "Request validation failed", [{ location, field, message, code }]);
}

const invalidCursor = (message = "Invalid cursor; pass nextCursor from a previous page") =>
  invalidQuery("query", "cursor", message, "invalid_cursor");

/** `[sort, key?, position, id]` as base64url JSON: opaque to clients, checked field by field on the way back. */
export function encodeTaskCursor(cursor: TaskCursor): string {
  const parts: unknown[] =
    cursor.sort === "manual"
      ? [cursor.sort, cursor.position, cursor.id]
      : [cursor.sort, cursor.key instanceof Date ? cursor.key.getTime() : cursor.key, cursor.position, cursor.id];
  return Buffer.from(JSON.stringify(parts), "utf8").toString("base64url");
}

function parseParts(raw: string): unknown[] | undefined {
  try {
    const parts: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    return Array.isArray(parts) ? parts : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Cursors are opaque to clients, so a tampered, foreign or malformed one is a validation error on `cursor`, and one
 * made for another sort is refused rather than misread.
 */
export function decodeTaskCursor(raw: string, sort: TaskSort): TaskCursor {
  const parts = parseParts(raw);
  if (!parts || parts.length < 3 || parts.length > 4) throw invalidCursor();
  if (parts[0] !== sort) {
    throw invalidCursor(`This cursor belongs to another sort; pass nextCursor from a page sorted by ${sort}`);
  }
  const [position, id] = parts.slice(-2);
  if (typeof position !== "string" || !POSITION.test(position) || typeof id !== "string" || !UUID.test(id)) {
    throw invalidCursor();
  }
  const tie = { position, id };
  const key = parts[1];
  switch (sort) {
    case "manual":
      if (parts.length !== 3) throw invalidCursor();
      return { sort, ...tie };
    case "created":
    case "updated":
      if (
        parts.length !== 4 ||
        !Number.isSafeInteger(key) ||
        (key as number) < MIN_MILLIS ||
        (key as number) > MAX_MILLIS
      )
        throw invalidCursor();
      return { sort, key: new Date(key as number), ...tie };
    case "priority":
      if (parts.length !== 4 || !Number.isInteger(key) || (key as number) < 0 || (key as number) > 3)
        throw invalidCursor();
      return { sort, key: key as number, ...tie };
    case "due":
      if (parts.length !== 4 || (key !== null && !DateSchema.safeParse(key).success)) throw invalidCursor();
      return { sort, key: key as string | null, ...tie };
  }
}
