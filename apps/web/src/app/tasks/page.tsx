import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { AppHeader } from "@/components/app-header";
import { ServiceUnavailable } from "@/components/service-unavailable";
import { TimeZoneCookie } from "@/components/time-zone-cookie";
import { messageForStatus } from "@/lib/api-messages";
import { apiWith, requireSession } from "@/lib/server-session";
import { TIME_ZONE_COOKIE, todayIn, validTimeZone } from "@/lib/today";
import { DeleteList } from "./delete-list";
import { listQuery, PAGE_SIZE, parseView, viewHref } from "./filters";
import { ListsNav } from "./lists-nav";
import { SearchBar } from "./search-bar";
import { TaskBoard } from "./task-board";

export const metadata: Metadata = { title: "Tasks · Todo" };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export default async function TasksPage({ searchParams }: { searchParams: Promise<Record<string, unknown>> }) {
  const view = parseView(await searchParams);
  const session = await requireSession();
  const zone = validTimeZone((await cookies()).get(TIME_ZONE_COOKIE)?.value);
  const today = todayIn(zone);

  const api = apiWith(session.accessToken);
  const params = { userId: session.userId };
  const fetchOptions = { cache: "no-store" } as const;
  const load = () =>
    Promise.all([
      api.tasks.list({ params, query: { ...listQuery(view), limit: PAGE_SIZE }, fetchOptions }),
      api.lists.list({ params, fetchOptions }),
      api.tasks.summary({ params, query: { today }, fetchOptions }),
    ]);
  let responses: Awaited<ReturnType<typeof load>>;
  try {
    responses = await load();
  } catch {
    return <ServiceUnavailable />;
  }
  const [tasks, lists, summary] = responses;
  // Expired or ended: a Route Handler may write cookies, so it renews (or ends) the sign-in and comes back.
  if ([tasks, lists, summary].some((r) => r.status === 401))
    redirect(`/auth/renew?next=${encodeURIComponent(viewHref(view))}`);
  if (tasks.status !== 200) return <ServiceUnavailable message={messageForStatus(tasks.status, tasks.headers)} />;
  if (lists.status !== 200) return <ServiceUnavailable message={messageForStatus(lists.status, lists.headers)} />;
  if (summary.status !== 200) return <ServiceUnavailable message={messageForStatus(summary.status, summary.headers)} />;

  const allLists = lists.body.items;
  const current = view.list && view.list !== "none" ? allLists.find((l) => l.id === view.list) : undefined;
  // A list that is gone (deleted in another tab, or a made-up id): back to every task.
  if (view.list && view.list !== "none" && !current) redirect(viewHref({ ...view, list: null }));

  const inLists = allLists.reduce(
    (sum, l) => ({ active: sum.active + l.activeCount, completed: sum.completed + l.completedCount }),
    { active: 0, completed: 0 },
  );
  const s = summary.body;
  const counts = current
    ? { active: current.activeCount, completed: current.completedCount }
    : view.list === "none"
      ? { active: s.active - inLists.active, completed: s.completed - inLists.completed }
      : { active: s.active, completed: s.completed };
  const heading = current ? current.name : view.list === "none" ? "No list" : "All tasks";

  return (
    <>
      <AppHeader email={session.email} current="tasks" />
      <TimeZoneCookie known={zone} />
      <div className="workspace">
        <aside className="sidebar">
          <ListsNav lists={allLists} view={view} noListCount={Math.max(0, s.active - inLists.active)} />
        </aside>
        <main className="main-column">
          <div className="title-row">
            <h1>{heading}</h1>
            {current && (
              <DeleteList
                id={current.id}
                name={current.name}
                taskCount={current.activeCount + current.completedCount}
              />
            )}
          </div>
          <p className="counts">
            <span>{plural(counts.active, "active task")}</span>
            <span>{plural(counts.completed, "completed task")}</span>
            {!current && view.list !== "none" && s.overdue > 0 && (
              <span className="overdue-count">{plural(s.overdue, "overdue task")}</span>
            )}
            {!current && view.list !== "none" && s.dueToday > 0 && <span>{s.dueToday} due today</span>}
          </p>
          <SearchBar view={view} />
          <TaskBoard
            key={`${viewHref(view)}|${today}`}
            view={view}
            lists={allLists}
            initialTasks={tasks.body.items}
            initialCursor={tasks.body.nextCursor}
            today={today}
            completedCount={counts.completed}
          />
        </main>
      </div>
    </>
  );
}
