import { parseEntityTags, type Task, taskETag } from "@todo/contract";
import type { Request, Response } from "express";
import { AppError } from "../errors/app-error.js";

/**
 * Conditional requests on one task (RFC 9110 §13): its ETag is its version, quoted (`"3"`), a strong validator.
 */

const invalidHeader = (name: string) =>
  new AppError("VALIDATION_FAILED", "Request validation failed", [
    { location: "header", field: name, message: "Must be * or a comma-separated list of entity tags", code: "invalid" },
  ]);

/**
 * The versions an `If-Match` accepts: undefined when the write is unconditional (no header, or `*`, which only
 * asks that the task exist, as every write does). Strong comparison: weak tags (`W/"3"`) and tags that are no
 * version of ours match nothing, so such a request gets 412.
 */
export function ifMatchVersions(req: Request): readonly number[] | undefined {
  const header = req.headers["if-match"];
  if (header === undefined) return undefined;
  const tags = parseEntityTags(header);
  if (!tags) throw invalidHeader("if-match");
  if (tags.includes("*")) return undefined;
  return tags.flatMap((tag) => {
    const match = /^"([1-9]\d{0,9})"$/.exec(tag);
    return match && Number(match[1]) <= 2_147_483_647 ? [Number(match[1])] : [];
  });
}

/** Whether `If-None-Match` matches the task (weak comparison, `*` matches any): answer 304. */
export function isNotModified(req: Request, task: Task): boolean {
  const header = req.headers["if-none-match"];
  if (header === undefined) return false;
  const tags = parseEntityTags(header);
  if (!tags) throw invalidHeader("if-none-match");
  const etag = taskETag(task.version);
  return tags.some((tag) => tag === "*" || tag.replace(/^W\//, "") === etag);
}

/** Sets the task's ETag on the response and hands the task back, for `{ status, body: withETag(res, task) }`. */
export function withETag(res: Response, task: Task): Task {
  res.setHeader("ETag", taskETag(task.version));
  return task;
}
