import type { z } from "zod";

/**
 * Server Actions are public HTTP endpoints: anyone can POST any arguments to them, whatever their TypeScript
 * types say. So every action takes `unknown` parameters and parses them first with the contract's schemas
 * (`parseInput`), and a bad call gets the same handled answer as a bad form (never a 500). Anything that is
 * not JSON-like never reaches an action: the proxy refuses it (lib/action-request.ts).
 */
export type Parsed<T> = { ok: true; data: T } | { ok: false; issues: { path: (string | number)[]; message: string }[] };

export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown): Parsed<z.output<S>> {
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, issues: parsed.error.issues };
}

/** A plain object's own fields, or null for anything else (null, arrays, strings, FormData…). */
export function fieldsOf(value: unknown): Record<string, unknown> | null {
  return value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
    ? (value as Record<string, unknown>)
    : null;
}

/** A form's text field: an empty (or blank) one means "none". */
export const blankToNull = (v: unknown): unknown => (typeof v === "string" && v.trim() === "" ? null : v);

/** A FormData argument's text field ("" when absent or a file). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** A FormData argument, or an empty form for anything else (a hostile call then fails validation, never a 500). */
export const asForm = (value: unknown): FormData => (value instanceof FormData ? value : new FormData());

/** Any non-array object's fields (class instances included), or none. */
export const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
