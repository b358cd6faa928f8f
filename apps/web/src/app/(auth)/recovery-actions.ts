"use server";

import { createTodoClient } from "@todo/client";
import { PasswordResetConfirmBodySchema, PasswordResetRequestBodySchema, SessionTokensSchema } from "@todo/contract";
import { redirect } from "next/navigation";
import { webEnv } from "@/env";
import { asForm } from "@/lib/action-input";
import {
  type FieldErrors,
  fieldErrorsFrom,
  issuesToFieldErrors,
  messageForStatus,
  UNEXPECTED_MESSAGE,
  UNREACHABLE_MESSAGE,
} from "@/lib/api-messages";
import { onBehalfFetch } from "@/lib/forward";
import { saveSession } from "@/lib/server-session";

export interface ForgotState {
  email: string;
  sentTo: string | null;
  fieldErrors: FieldErrors;
  formError: string | null;
}

export interface ResetState {
  fieldErrors: FieldErrors;
  formError: string | null;
  /** The link itself is no good (unknown, used or expired): only a new one helps. */
  badLink: boolean;
}

// The API limits reset requests and confirmations per client address, and records the new sign-in's device:
// it is told whose request this is.
const client = async () =>
  createTodoClient({ baseUrl: webEnv().TODO_API_URL, autoRefresh: false, fetch: await onBehalfFetch() });

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

/** "Send reset link": the API answers 202 whether or not the address has an account, and so does this page. */
export async function requestPasswordReset(_previous: ForgotState, input: FormData): Promise<ForgotState> {
  const form = asForm(input);
  const email = text(form, "email");
  const parsed = PasswordResetRequestBodySchema.safeParse({ email });
  if (!parsed.success)
    return { email, sentTo: null, fieldErrors: issuesToFieldErrors(parsed.error.issues), formError: null };
  let res: { status: number; headers: Headers; body: unknown };
  try {
    res = await (await client()).api.account.requestPasswordReset({ body: parsed.data });
  } catch {
    return { email, sentTo: null, fieldErrors: {}, formError: UNREACHABLE_MESSAGE };
  }
  if (res.status === 202) return { email: "", sentTo: parsed.data.email, fieldErrors: {}, formError: null };
  if (res.status === 422) {
    const details = (res.body as { error?: { details?: { field: string; message: string }[] } }).error?.details ?? [];
    return { email, sentTo: null, fieldErrors: fieldErrorsFrom(details), formError: null };
  }
  const formError =
    res.status === 503 && !res.headers.get("retry-after")
      ? "Password reset by email is not available right now. Please try again later."
      : messageForStatus(res.status, res.headers);
  return { email, sentTo: null, fieldErrors: {}, formError };
}

/** "Set new password": the token from the mailed link and the new password; on success the person is signed in. */
export async function confirmPasswordReset(_previous: ResetState, input: FormData): Promise<ResetState> {
  const form = asForm(input);
  const token = text(form, "token");
  const password = text(form, "password");
  if (!token || token.length > 512) return { fieldErrors: {}, formError: null, badLink: true };
  const parsed = PasswordResetConfirmBodySchema.safeParse({ token, password });
  if (!parsed.success)
    return { fieldErrors: issuesToFieldErrors(parsed.error.issues), formError: null, badLink: false };
  let res: { status: number; headers: Headers; body: unknown };
  try {
    res = await (await client()).api.account.confirmPasswordReset({ body: parsed.data });
  } catch {
    return { fieldErrors: {}, formError: UNREACHABLE_MESSAGE, badLink: false };
  }
  if (res.status === 200) {
    const session = SessionTokensSchema.safeParse(res.body);
    if (!session.success) return { fieldErrors: {}, formError: UNEXPECTED_MESSAGE, badLink: false };
    await saveSession(session.data);
    redirect("/tasks?reset=1");
  }
  if (res.status === 400) return { fieldErrors: {}, formError: null, badLink: true };
  if (res.status === 422) {
    const details = (res.body as { error?: { details?: { field: string; message: string }[] } }).error?.details ?? [];
    const errors = fieldErrorsFrom(details);
    if (errors.token) return { fieldErrors: {}, formError: null, badLink: true };
    return { fieldErrors: errors, formError: null, badLink: false };
  }
  return { fieldErrors: {}, formError: messageForStatus(res.status, res.headers), badLink: false };
}
