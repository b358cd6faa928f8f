import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ServiceUnavailable } from "@/components/service-unavailable";
import { messageForStatus } from "@/lib/api-messages";
import { apiWith, requireSession } from "@/lib/server-session";
import { signOut } from "../(auth)/actions";
import { completedQuery, PAGE_SIZE, parseFilter } from "./filters";
import { TaskBoard } from "./task-board";

export const metadata: Metadata = { title: "Tasks · Todo" };

export default async function TasksPage({ searchParams }: { searchParams: Promise<{ filter?: string }> }) {
  const filter = parseFilter((await searchParams).filter);
  const session = await requireSession();

  let res: Awaited<ReturnType<ReturnType<typeof apiWith>["tasks"]["list"]>>;
  try {
    res = await apiWith(session.accessToken).tasks.list({
      params: { userId: session.userId },
      query: { ...completedQuery(filter), limit: PAGE_SIZE },
      fetchOptions: { cache: "no-store" },
    });
  } catch {
    return <ServiceUnavailable />;
  }
  // Expired or ended: a Route Handler may write cookies, so it renews (or ends) the sign-in and comes back.
  if (res.status === 401) redirect(`/auth/renew?next=${encodeURIComponent(`/tasks?filter=${filter}`)}`);
  if (res.status !== 200) return <ServiceUnavailable message={messageForStatus(res.status, res.headers)} />;

  return (
    <>
      <header className="topbar">
        <span className="brand">Todo</span>
        <div className="account">
          {session.email && <span className="who">{session.email}</span>}
          <form action={signOut}>
            <button type="submit" className="quiet">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <main className="page">
        <h1>Your tasks</h1>
        <TaskBoard key={filter} filter={filter} initialTasks={res.body.items} initialCursor={res.body.nextCursor} />
      </main>
    </>
  );
}
