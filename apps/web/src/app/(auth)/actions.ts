"use server";

import { createTodoClient, memoryTokenStore, type TodoClient } from "@todo/client";
import { LoginBodySchema, RegisterBodySchema, SessionTokensSchema } from "@todo/contract";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { webEnv } from "@/env";
import { formText } from "@/lib/action-input";
import {
  type FieldErrors,
  fieldErrorsFrom,
  issuesToFieldErrors,
  messageForStatus,
  UNEXPECTED_MESSAGE,
  UNREACHABLE_MESSAGE,
} from "@/lib/api-messages";
import { forwardingFetch } from "@/lib/client-address";
import { clientAddress, dropSession, readSession, saveSession } from "@/lib/server-session";
import { DEVICE_COOKIE, writeDeviceCookie } from "@/lib/session-cookies";

export interface AuthFormState {
  email: string;
  fieldErrors: FieldErrors;
  formError: string | null;
}

// The login and registration limits are per client address: the API is told whose attempt this is.
const client = async () =>
  createTodoClient({
    baseUrl: webEnv().TODO_API_URL,
    autoRefresh: false,
    fetch: forwardingFetch(await clientAddress()),
  });

/** The form's fields; anything but a form (a hostile call) reads as an empty one, which the schemas refuse. */
function credentials(form: unknown) {
  if (!(form instanceof FormData)) return { email: "", password: "" };
  return { email: formText(form, "email"), password: formText(form, "password") };
}

const failed = (email: string, fieldErrors: FieldErrors, formError: string | null = null): AuthFormState => ({
  email,
  fieldErrors,
  formError,
});

/** Signs in or creates the account; on success the tokens go into httpOnly cookies and the person to the tasks. */
async function authenticate(kind: "login" | "register", form: unknown): Promise<AuthFormState> {
  const input = credentials(form);
  const parsed = (kind === "login" ? LoginBodySchema : RegisterBodySchema).safeParse(input);
  if (!parsed.success) return failed(input.email, issuesToFieldErrors(parsed.error.issues));

  const api = await client();
  const jar = await cookies();
  // This browser's device token, if it signed in before (a malformed cookie is simply not sent).
  const device = LoginBodySchema.shape.deviceToken.safeParse(jar.get(DEVICE_COOKIE)?.value);
  const deviceToken = device.success ? device.data : undefined;
  let res: Awaited<ReturnType<TodoClient["login"]>> | Awaited<ReturnType<TodoClient["register"]>>;
  try {
    res =
      kind === "login"
        ? await api.login({ ...parsed.data, ...(deviceToken && { deviceToken }) })
        : await api.register(parsed.data);
  } catch {
    return failed(input.email, {}, UNREACHABLE_MESSAGE);
  }
  switch (res.status) {
    case 200:
    case 201: {
      // Login answers 200 and registration 201, both with a session body (checked: the union cannot tell).
      const session = SessionTokensSchema.safeParse(res.body);
      if (!session.success) return failed(input.email, {}, UNEXPECTED_MESSAGE);
      await saveSession(session.data);
      if (session.data.deviceToken) writeDeviceCookie(jar, session.data.deviceToken);
      return redirect("/tasks");
    }
    case 401:
      return failed(input.email, {}, "Wrong email or password.");
    case 409:
      return failed(input.email, { email: ["An account with this email already exists. Sign in instead."] });
    case 422:
      return failed(input.email, fieldErrorsFrom(res.body.error.details));
    default:
      return failed(input.email, {}, messageForStatus(res.status, res.headers));
  }
}

export async function signIn(_previous: unknown, form: unknown): Promise<AuthFormState> {
  return authenticate("login", form);
}

export async function signUp(_previous: unknown, form: unknown): Promise<AuthFormState> {
  return authenticate("register", form);
}

/** Ends the sign-in on the API (its refresh token and, within seconds, its access tokens) and here. */
export async function signOut(): Promise<void> {
  const session = await readSession();
  if (session) {
    const todo = createTodoClient({
      baseUrl: webEnv().TODO_API_URL,
      tokenStore: memoryTokenStore({ accessToken: session.accessToken, refreshToken: session.refreshToken }),
      autoRefresh: false,
    });
    await todo.logout(); // Never throws; the cookies go whatever the API answered.
  }
  await dropSession();
  redirect("/sign-in");
}
