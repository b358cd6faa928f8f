"use client";

import { PASSWORD_MIN_CHARS } from "@todo/contract";
import Link from "next/link";
import { useActionState } from "react";
import { FieldError } from "@/components/field-error";
import type { AuthFormState } from "./actions";

interface AuthFormProps {
  mode: "sign-in" | "sign-up";
  action: (previous: AuthFormState, form: FormData) => Promise<AuthFormState>;
  notice?: string | undefined;
}

const INITIAL: AuthFormState = { email: "", fieldErrors: {}, formError: null };

export function AuthForm({ mode, action, notice }: AuthFormProps) {
  const [state, formAction, pending] = useActionState(action, INITIAL);
  const signUp = mode === "sign-up";
  const emailError = state.fieldErrors.email;
  const passwordError = state.fieldErrors.password;

  return (
    <form action={formAction} className="card stack" noValidate>
      {notice && !state.formError && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {state.formError && (
        <p className="alert" role="alert">
          {state.formError}
        </p>
      )}
      <div className="field">
        <label htmlFor="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete={signUp ? "email" : "username"}
          required
          defaultValue={state.email}
          key={state.email}
          aria-invalid={emailError ? true : undefined}
          aria-describedby={emailError ? "email-error" : undefined}
        />
        <FieldError id="email-error" messages={emailError} />
      </div>
      <div className="field">
        <div className="label-row spread">
          <label htmlFor="password">Password</label>
          {!signUp && <Link href="/forgot-password">Forgot password?</Link>}
        </div>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete={signUp ? "new-password" : "current-password"}
          required
          minLength={signUp ? PASSWORD_MIN_CHARS : undefined}
          aria-invalid={passwordError ? true : undefined}
          aria-describedby={
            [signUp ? "password-hint" : "", passwordError ? "password-error" : ""].join(" ").trim() || undefined
          }
        />
        {signUp && (
          <p id="password-hint" className="hint">
            At least {PASSWORD_MIN_CHARS} characters.
          </p>
        )}
        <FieldError id="password-error" messages={passwordError} />
      </div>
      <button type="submit" className="primary" disabled={pending}>
        {signUp ? "Create account" : "Sign in"}
      </button>
      <p className="switch">
        {signUp ? (
          <>
            Already have an account? <Link href="/sign-in">Sign in instead</Link>
          </>
        ) : (
          <>
            New here? <Link href="/sign-up">Create an account</Link>
          </>
        )}
      </p>
    </form>
  );
}
