// app/login/actions.ts — Server Actions: signing in and out writes (and clears) the session cookies
"use server";
import { redirect } from "next/navigation";
import { todoForAction } from "@/lib/todo-server";

export async function signIn(form: FormData) {
  const todo = await todoForAction();
  const res = await todo.login({ email: String(form.get("email")), password: String(form.get("password")) });
  // On 200 the client stored the new pair through cookieTokenStore.set: both cookies are now written.
  if (res.status !== 200) redirect(`/login?error=${res.status === 429 ? "later" : "credentials"}`);
  redirect("/tasks");
}

export async function signOut() {
  const todo = await todoForAction();
  await todo.logout(); // revokes the sign-in and clears both cookies, even if the API cannot be reached
  redirect("/login");
}
