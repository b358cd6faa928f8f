import type { ErrorDetail } from "@todo/client";

export type FieldErrors = Partial<Record<string, string[]>>;

/** The API's 422 details (and the contract's zod issues), grouped by the top-level field they concern. */
export function fieldErrorsFrom(details: readonly Pick<ErrorDetail, "field" | "message">[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const { field, message } of details) {
    const key = field.split(".")[0] || "_form";
    errors[key] = [...(errors[key] ?? []), message];
  }
  return errors;
}

export function issuesToFieldErrors(issues: readonly { path: (string | number)[]; message: string }[]): FieldErrors {
  return fieldErrorsFrom(issues.map((i) => ({ field: i.path.join("."), message: i.message })));
}

/** "30 seconds", "1 minute", "15 minutes", "2 hours": how long to wait, from a Retry-After header. */
export function describeWait(retryAfter: string | null | undefined): string {
  const seconds = Number(retryAfter);
  if (!Number.isFinite(seconds) || seconds <= 0) return "a little while";
  if (seconds < 60) return plural(Math.ceil(seconds), "second");
  if (seconds < 3600) return plural(Math.ceil(seconds / 60), "minute");
  return plural(Math.ceil(seconds / 3600), "hour");
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

export const UNREACHABLE_MESSAGE = "We can't reach the todo service right now. Please try again in a moment.";
export const UNEXPECTED_MESSAGE = "Something went wrong on our side. Please try again.";

/** A message for statuses every route can answer. */
export function messageForStatus(status: number, headers?: Headers): string {
  if (status === 429) return `Too many attempts. Please try again in ${describeWait(headers?.get("retry-after"))}.`;
  if (status === 503) return "The todo service is busy right now. Please try again in a moment.";
  if (status === 413) return "That is too long to save.";
  return UNEXPECTED_MESSAGE;
}
