// validate-form.ts — the server's own rules, checked in a form before sending
import { CreateTaskBodySchema, TITLE_MAX_LENGTH } from "@todo/contract";

export function titleError(title: string): string | null {
  const parsed = CreateTaskBodySchema.safeParse({ title });
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? `1 to ${TITLE_MAX_LENGTH} characters`);
}
