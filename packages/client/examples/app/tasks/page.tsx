// app/tasks/page.tsx — a Server Component; cookies are read inside <Suspense> (required under cacheComponents)
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { todoForServerComponent } from "@/lib/todo-server";
import { AddTask } from "./add-task";

export default function TasksPage() {
  return (
    <main>
      <h1>Tasks</h1>
      <Suspense fallback={<p>Loading…</p>}>
        <TaskList />
      </Suspense>
    </main>
  );
}

async function TaskList() {
  const todo = await todoForServerComponent();
  const userId = await todo.currentUserId();
  if (!userId) redirect("/login");

  // Per-user data: never cache it across requests.
  const res = await todo.api.tasks.list({ params: { userId }, fetchOptions: { cache: "no-store" } });
  // Expired: a Route Handler renews the pair and writes the cookies, then sends the user back here.
  if (res.status === 401) redirect("/auth/renew?next=/tasks");
  if (res.status !== 200) throw new Error(`Todo API answered ${res.status}`);

  return (
    <>
      <AddTask userId={userId} />
      <ul>
        {res.body.items.map((task) => (
          <li key={task.id}>
            {task.completed ? "✓ " : ""}
            {task.title}
          </li>
        ))}
      </ul>
    </>
  );
}
