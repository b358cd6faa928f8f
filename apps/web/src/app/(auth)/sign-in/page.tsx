import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { readSession } from "@/lib/server-session";
import { signIn } from "../actions";
import { AuthForm } from "../auth-form";

export const metadata: Metadata = { title: "Sign in · Todo" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ ended?: string; deleted?: string }>;
}) {
  if (await readSession()) redirect("/tasks");
  const { ended, deleted } = await searchParams;
  return (
    <main className="narrow">
      <h1>Sign in</h1>
      <AuthForm
        mode="sign-in"
        action={signIn}
        notice={
          deleted
            ? "Your account and all its data have been deleted."
            : ended
              ? "Your session has ended. Please sign in again."
              : undefined
        }
      />
    </main>
  );
}
