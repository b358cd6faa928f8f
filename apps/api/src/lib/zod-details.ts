import type { ErrorDetail } from "@todo/contract";
import type { ZodError } from "zod";

/** Flattens a ZodError into per-field details; unknown keys become one detail per key. */
export function zodErrorToDetails(error: ZodError, location: ErrorDetail["location"]): ErrorDetail[] {
  return error.issues.flatMap((issue): ErrorDetail[] => {
    const base = issue.path.join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        location,
        field: base ? `${base}.${key}` : key,
        message: "Unknown field",
        code: issue.code,
      }));
    }
    return [{ location, field: base, message: issue.message, code: issue.code }];
  });
}
