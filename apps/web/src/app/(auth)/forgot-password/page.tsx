import type { Metadata } from "next";
import { ForgotPasswordForm } from "./forgot-form";

export const metadata: Metadata = { title: "Forgot password · Todo" };

export default function ForgotPasswordPage() {
  return (
    <main className="narrow">
      <h1>Reset your password</h1>
      <p className="lead">Enter the email address of your account and we'll send you a link to set a new password.</p>
      <ForgotPasswordForm />
    </main>
  );
}
