import { z } from "zod/v3";

/**
 * Request headers of the routes that take them: `Idempotency-Key` on creates, `If-Match` on the writes of one
 * task, `If-None-Match` on reading one. Header names are lower-case, as Node (and ts-rest) see them.
 */

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * `Idempotency-Key` (IETF httpapi draft): 1–255 printable ASCII characters. The draft's Structured Field string
 * form (`"abc"`) and a bare token (`abc`) name the same key.
 */
export const IdempotencyKeySchema = z
  .string()
  .min(1, { message: "Must not be empty" })
  .max(IDEMPOTENCY_KEY_MAX_LENGTH + 2, { message: `Must be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters` })
  .regex(/^[\x20-\x7e]+$/, { message: "Must be printable ASCII" })
  .transform(unquoteIdempotencyKey)
  .refine((key) => key.length >= 1 && key.length <= IDEMPOTENCY_KEY_MAX_LENGTH, {
    message: `Must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`,
  });

/** `"abc"` (a Structured Field string, `\"` and `\\` escapes) → `abc`; anything else is the key as sent. */
export function unquoteIdempotencyKey(value: string): string {
  const match = /^"((?:[^"\\]|\\["\\])*)"$/.exec(value);
  return match ? (match[1] ?? "").replace(/\\(["\\])/g, "$1") : value;
}

/** An `If-Match` / `If-None-Match` value: `*` or a comma-separated list of entity tags. */
const EntityTagListSchema = z.string().max(2048, { message: "Must be at most 2048 characters" });

export const IdempotencyKeyHeadersSchema = z.object({ "idempotency-key": IdempotencyKeySchema.optional() });
export const IfMatchHeadersSchema = z.object({ "if-match": EntityTagListSchema.optional() });
export const IfNoneMatchHeadersSchema = z.object({ "if-none-match": EntityTagListSchema.optional() });

/** The strong ETag of version `version` of a task: `"<version>"`. */
export const taskETag = (version: number): string => `"${version}"`;

/**
 * The entity tags of an `If-Match` / `If-None-Match` header, `"*"` for the wildcard (RFC 9110 §13.1). Weak tags
 * keep their `W/` prefix. Returns undefined for a header that is not a valid list.
 */
export function parseEntityTags(header: string): string[] | undefined {
  const trimmed = header.trim();
  if (trimmed === "*") return ["*"];
  const tags: string[] = [];
  const pattern = /\s*((?:W\/)?"[\x21\x23-\x7e\x80-\xff]*")\s*(,|$)/y;
  let index = 0;
  while (index < trimmed.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(trimmed);
    if (!match?.[1]) return undefined;
    tags.push(match[1]);
    index = pattern.lastIndex;
    // Empty list elements (`"a", , "b"`) are allowed by the list syntax.
    while (trimmed[index] === "," || trimmed[index] === " " || trimmed[index] === "\t") index++;
  }
  return tags.length > 0 ? tags : undefined;
}

/** What an idempotent create's documentation says about `Idempotency-Key`. */
export const IDEMPOTENT_CREATE_DESCRIPTION =
  "Send an `Idempotency-Key` (1–255 printable ASCII characters, unique per attempt of one create) to make retries " +
  "safe: the first request's status and body are kept for 24 hours (per user), a retry with the same key and body " +
  "gets them again with `Idempotent-Replayed: true` and creates nothing; the same key with another body is 422 " +
  "`IDEMPOTENCY_KEY_REUSED`; while the first request still runs, 409 `IDEMPOTENCY_KEY_IN_USE` with `Retry-After`; " +
  "if the first request created the resource without keeping its answer (a crash) and it was deleted since, 409 " +
  "`IDEMPOTENCY_KEY_RESOURCE_DELETED` rather than creating it again.";

/** What a conditional write's documentation says about `If-Match`. */
export const IF_MATCH_DESCRIPTION =
  "Send `If-Match` with the task's `ETag` to change it only if nobody else did since you read it: otherwise 412 " +
  "`PRECONDITION_FAILED` and nothing changes (the check and the write are one atomic step). Without `If-Match`, " +
  "the last write wins. The answer carries the task's new `ETag`.";
