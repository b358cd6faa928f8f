"use client";

import Link from "next/link";
import { useActionState } from "react";
import { FieldError } from "@/components/field-error";
import { type ForgotState, requestPasswordReset } from "../recovery-actions";

const INITIAL: ForgotState = { email: "", sentTo: null, fieldErrors: {}, formError: null };

export function ForgotPasswordForm() {
  const [state, formAction, pending] = useActionState(requestPasswordReset, INITIAL);
  const emailError = state.fieldErrors.email;
  return (
    <form action={formAction} className="card stack" noValidate>
      {state.sentTo && (
        <p className="notice" role="status">
          If an account exists for <strong>{state.sentTo}</strong>, we've sent it a link to reset the password. The link
          works for 30 minutes and only once. Check your spam folder if it doesn't arrive.
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
          autoComplete="username"
          required
          defaultValue={state.email}
          key={`${state.email}|${state.sentTo ?? ""}`}
          aria-invalid={emailError ? true : undefined}
          aria-describedby={emailError ? "email-error" : undefined}
        />
        <FieldError id="email-error" messages={emailError} />
      </div>
      <button type="submit" className="primary" disabled={pending}>
        Send reset link
      </button>
      <p className="switch">
        Remembered it? <Link href="/sign-in">Back to sign in</Link>
      </p>
    </form>
  );
}
