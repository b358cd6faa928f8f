"use server";

import { ChangePasswordBodySchema, DeleteAccountBodySchema } from "@todo/contract";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { asForm } from "@/lib/action-input";
import {
  type FieldErrors,
  fieldErrorsFrom,
  issuesToFieldErrors,
  messageForStatus,
  UNREACHABLE_MESSAGE,
} from "@/lib/api-messages";
import { dropSession, withSession } from "@/lib/server-session";

export interface FormState {
  fieldErrors: FieldErrors;
  formError: string | null;
  done: string | null;
}

const ok = (done: string): FormState => ({ fieldErrors: {}, formError: null, done });
const fail = (formError: string | null, fieldErrors: FieldErrors = {}): FormState => ({
  fieldErrors,
  formError,
  done: null,
});

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

const detailsOf = (body: unknown) =>
  (body as { error?: { details?: { field: string; message: string }[] } } | null)?.error?.details ?? [];

/** An API call for the signed-in user; an unreachable API becomes a message, redirects go through. */
async function call<R extends { status: number; headers: Headers; body: unknown }>(
  run: Parameters<typeof withSession<R>>[0],
): Promise<R | null> {
  try {
    return await withSession(run);
  } catch (err) {
    if (err instanceof TypeError) return null; // fetch failed: the API is unreachable
    throw err; // redirect() and the like
  }
}

export async function changePassword(_previous: FormState, input: FormData): Promise<FormState> {
  const form = asForm(input);
  const parsed = ChangePasswordBodySchema.safeParse({
    currentPassword: text(form, "currentPassword"),
    newPassword: text(form, "newPassword"),
  });
  if (!parsed.success) {
    const errors = issuesToFieldErrors(parsed.error.issues);
    if (!text(form, "currentPassword")) errors.currentPassword = ["Enter your current password."];
    return fail(null, errors);
  }
  const res = await call((api) => api.account.changePassword({ body: parsed.data }));
  if (!res) return fail(UNREACHABLE_MESSAGE);
  if (res.status === 204) {
    revalidatePath("/account");
    return ok("Your password has been changed. Every other session has been signed out.");
  }
  if (res.status === 403) return fail(null, { currentPassword: ["That is not your current password."] });
  if (res.status === 422) return fail(null, fieldErrorsFrom(detailsOf(res.body)));
  return fail(messageForStatus(res.status, res.headers));
}

export async function signOutOtherSessions(_previous: FormState, _form: FormData): Promise<FormState> {
  const res = await call((api) => api.account.endOtherSignIns());
  if (!res) return fail(UNREACHABLE_MESSAGE);
  if (res.status === 204) {
    revalidatePath("/account");
    return ok("Every other session has been signed out.");
  }
  return fail(messageForStatus(res.status, res.headers));
}

const SessionIdSchema = z.string().min(1).max(128);

export async function endSession(_previous: FormState, input: FormData): Promise<FormState> {
  const form = asForm(input);
  const id = SessionIdSchema.safeParse(form.get("sessionId"));
  if (!id.success) return fail("That session has already ended.");
  const res = await call((api) => api.account.endSignIn({ params: { id: id.data } }));
  if (!res) return fail(UNREACHABLE_MESSAGE);
  if (res.status === 204 || res.status === 404) {
    revalidatePath("/account");
    return ok("That session has been signed out.");
  }
  return fail(messageForStatus(res.status, res.headers));
}

export async function deleteAccount(_previous: FormState, input: FormData): Promise<FormState> {
  const form = asForm(input);
  const password = text(form, "password");
  const errors: FieldErrors = {};
  if (!password) errors.password = ["Enter your password to confirm."];
  if (form.get("confirm") !== "yes") errors.confirm = ["Tick this box to confirm that you want to delete everything."];
  const parsed = DeleteAccountBodySchema.safeParse({ password });
  if (password && !parsed.success) Object.assign(errors, issuesToFieldErrors(parsed.error.issues));
  if (Object.keys(errors).length > 0 || !parsed.success) return fail(null, errors);
  const body = parsed.data;
  const res = await call((api) => api.account.deleteAccount({ body }));
  if (!res) return fail(UNREACHABLE_MESSAGE);
  if (res.status === 204) {
    await dropSession();
    redirect("/sign-in?deleted=1");
  }
  if (res.status === 403) return fail(null, { password: ["That is not your password."] });
  if (res.status === 422) return fail(null, fieldErrorsFrom(detailsOf(res.body)));
  return fail(messageForStatus(res.status, res.headers));
}
