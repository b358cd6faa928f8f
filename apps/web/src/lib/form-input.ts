/**
 * Server Actions can be called by anyone who can POST, with any arguments: these read them without trusting
 * their shape, so a hostile call gets the same validation errors as an empty form, never a 500.
 */
export const asForm = (value: unknown): FormData => (value instanceof FormData ? value : new FormData());

export const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
