"use client";

import { PASSWORD_MIN_CHARS } from "@todo/contract";
import Link from "next/link";
import { useActionState, useEffect } from "react";
import { FieldError } from "@/components/field-error";
import { confirmPasswordReset, type ResetState } from "../recovery-actions";

const INITIAL: ResetState = { fieldErrors: {}, formError: null, badLink: false };

export function ResetPasswordForm({ token }: { token: string }) {
  const [state, formAction, pending] = useActionState(confirmPasswordReset, INITIAL);
  const passwordError = state.fieldErrors.password;

  // The token stays in the form, not in the address bar, the history or a bookmark.
  useEffect(() => {
    window.history.replaceState(null, "", "/reset-password");
  }, []);

  if (state.badLink) {
    return (
      <div className="card stack">
        <p className="alert" role="alert">
          This reset link has expired or has already been used. Each link works once, for 30 minutes.
        </p>
        <Link href="/forgot-password" className="button-link">
          Request a new link
        </Link>
      </div>
    );
  }

  return (
    <form action={formAction} className="card stack" noValidate>
      {state.formError && (
        <p className="alert" role="alert">
          {state.formError}
        </p>
      )}
      <input type="hidden" name="token" value={token} />
      <div className="field">
        <label htmlFor="password">New password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN_CHARS}
          aria-invalid={passwordError ? true : undefined}
          aria-describedby={["password-hint", passwordError ? "password-error" : ""].join(" ").trim()}
        />
        <p id="password-hint" className="hint">
          At least {PASSWORD_MIN_CHARS} characters. You'll be signed out everywhere else.
        </p>
        <FieldError id="password-error" messages={passwordError} />
      </div>
      <button type="submit" className="primary" disabled={pending}>
        Set new password
      </button>
    </form>
  );
}
