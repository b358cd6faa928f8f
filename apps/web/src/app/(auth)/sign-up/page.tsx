import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { readSession } from "@/lib/server-session";
import { signUp } from "../actions";
import { AuthForm } from "../auth-form";

export const metadata: Metadata = { title: "Create account · Todo" };

export default async function SignUpPage() {
  if (await readSession()) redirect("/tasks");
  return (
    <main className="narrow">
      <h1>Create account</h1>
      <AuthForm mode="sign-up" action={signUp} />
    </main>
  );
}
