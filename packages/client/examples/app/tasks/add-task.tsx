// app/tasks/add-task.tsx — a Client Component calling the API from the browser, tokens in localStorage
"use client";
import { createTodoClient, webStorageTokenStore } from "@todo/client";
import { useRouter } from "next/navigation";
import { useState } from "react";

// Module scope is fine: the store reads localStorage only when a request needs it, never during prerendering.
const todo = createTodoClient({
  baseUrl: process.env.NEXT_PUBLIC_TODO_API_URL ?? "http://localhost:3000",
  tokenStore: webStorageTokenStore(), // localStorage, shared by the tabs; renewals coordinated with Web Locks
});

export function AddTask({ userId }: { userId: string }) {
  const router = useRouter();
  const [error, setError] = useState<string>();

  async function add(form: FormData) {
    const res = await todo.api.tasks.create({ params: { userId }, body: { title: String(form.get("title")) } });
    if (res.status === 201) router.refresh();
    else if (res.status === 422) setError(res.body.error.details.map((d) => d.message).join(", "));
    else if (res.status === 401) router.push("/login");
    else setError("Could not add the task");
  }

  return (
    <form action={add}>
      <input name="title" aria-label="Title" required maxLength={200} />
      <button type="submit">Add task</button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
