"use client";

import { PASSWORD_MIN_CHARS } from "@todo/contract";
import { useActionState } from "react";
import { FieldError } from "@/components/field-error";
import { changePassword, deleteAccount, endSession, type FormState, signOutOtherSessions } from "./actions";

const INITIAL: FormState = { fieldErrors: {}, formError: null, done: null };

function Outcome({ state }: { state: FormState }) {
  if (state.formError)
    return (
      <p className="alert" role="alert">
        {state.formError}
      </p>
    );
  if (state.done)
    return (
      <p className="notice" role="status">
        {state.done}
      </p>
    );
  return null;
}

function PasswordField(props: {
  id: string;
  name: string;
  label: string;
  autoComplete: string;
  errors: string[] | undefined;
  hint?: string;
}) {
  const { id, name, label, autoComplete, errors, hint } = props;
  const describedBy = [hint ? `${id}-hint` : "", errors ? `${id}-error` : ""].join(" ").trim();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="password"
        autoComplete={autoComplete}
        required
        aria-invalid={errors ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}

export function ChangePasswordForm({ email }: { email: string | null }) {
  const [state, action, pending] = useActionState(changePassword, INITIAL);
  return (
    <form action={action} className="stack" aria-labelledby="password-heading" noValidate>
      {/* For password managers: whose password this is. */}
      <input type="text" name="username" autoComplete="username" value={email ?? ""} readOnly hidden />
      <Outcome state={state} />
      <PasswordField
        id="current-password"
        name="currentPassword"
        label="Current password"
        autoComplete="current-password"
        errors={state.fieldErrors.currentPassword}
      />
      <PasswordField
        id="new-password"
        name="newPassword"
        label="New password"
        autoComplete="new-password"
        errors={state.fieldErrors.newPassword}
        hint={`At least ${PASSWORD_MIN_CHARS} characters. Your other sessions will be signed out.`}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          Change password
        </button>
      </div>
    </form>
  );
}

export function SignOutOthersForm({ others }: { others: number }) {
  const [state, action, pending] = useActionState(signOutOtherSessions, INITIAL);
  return (
    <form action={action} className="stack">
      <Outcome state={state} />
      <div className="actions start">
        <button type="submit" className="secondary" disabled={pending || others === 0}>
          Sign out other sessions
        </button>
      </div>
    </form>
  );
}

export function EndSessionForm({ sessionId, label }: { sessionId: string; label: string }) {
  const [state, action, pending] = useActionState(endSession, INITIAL);
  return (
    <form action={action} className="end-session">
      <input type="hidden" name="sessionId" value={sessionId} />
      <button type="submit" className="quiet danger" aria-label={label} disabled={pending}>
        End
      </button>
      {state.formError && (
        <p className="field-error" role="alert">
          {state.formError}
        </p>
      )}
    </form>
  );
}

export function DeleteAccountForm({ email }: { email: string | null }) {
  const [state, action, pending] = useActionState(deleteAccount, INITIAL);
  const confirmError = state.fieldErrors.confirm;
  return (
    <form action={action} className="card stack danger-zone" noValidate>
      <input type="text" name="username" autoComplete="username" value={email ?? ""} readOnly hidden />
      <Outcome state={state} />
      <PasswordField
        id="confirm-password"
        name="password"
        label="Confirm password"
        autoComplete="current-password"
        errors={state.fieldErrors.password}
      />
      <div className="field">
        <div className="check-row">
          <input
            id="confirm-delete"
            name="confirm"
            type="checkbox"
            value="yes"
            required
            aria-invalid={confirmError ? true : undefined}
            aria-describedby={confirmError ? "confirm-delete-error" : undefined}
          />
          <label htmlFor="confirm-delete">Yes, delete my account and all my tasks and lists for good</label>
        </div>
        <FieldError id="confirm-delete-error" messages={confirmError} />
      </div>
      <div className="actions">
        <a href="/account" className="button-link secondary-link">
          Cancel
        </a>
        <button type="submit" className="danger-button" disabled={pending}>
          Delete account
        </button>
      </div>
    </form>
  );
}
