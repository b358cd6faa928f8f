import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AppHeader } from "@/components/app-header";
import { ServiceUnavailable } from "@/components/service-unavailable";
import { messageForStatus } from "@/lib/api-messages";
import { describeDevice, relativeTime } from "@/lib/devices";
import { apiWith, requireSession } from "@/lib/server-session";
import { ChangePasswordForm, EndSessionForm, SignOutOthersForm } from "./forms";

export const metadata: Metadata = { title: "Account · Todo" };

export default async function AccountPage() {
  const session = await requireSession();
  let res: Awaited<ReturnType<ReturnType<typeof apiWith>["account"]["listSignIns"]>>;
  try {
    res = await apiWith(session.accessToken).account.listSignIns({ fetchOptions: { cache: "no-store" } });
  } catch {
    return <ServiceUnavailable />;
  }
  if (res.status === 401) redirect(`/auth/renew?next=${encodeURIComponent("/account")}`);
  if (res.status !== 200) return <ServiceUnavailable message={messageForStatus(res.status, res.headers)} />;
  const sessions = res.body.items;
  const now = Date.now();

  return (
    <>
      <AppHeader email={session.email} current="account" />
      <main className="page">
        <h1>Account</h1>
        {session.email && <p className="lead">Signed in as {session.email}</p>}

        <section className="card stack" aria-labelledby="password-heading">
          <h2 id="password-heading">Change password</h2>
          <ChangePasswordForm email={session.email} />
        </section>

        <section className="card stack" aria-labelledby="sessions-heading">
          <div>
            <h2 id="sessions-heading">Where you're signed in</h2>
            <p className="hint">Sign out anywhere you don't recognise, or a device you no longer have.</p>
          </div>
          <ul className="sessions" aria-label="Active sessions">
            {sessions.map((s) => {
              const device = describeDevice(s.userAgent);
              const lastActive = relativeTime(s.lastUsedAt ?? s.createdAt, now);
              return (
                <li key={s.id} className="session">
                  <div className="session-text">
                    <p className="session-device">
                      {device}
                      {s.current && <span className="badge">This device</span>}
                    </p>
                    <p className="session-meta">
                      {s.ipAddress ?? "Unknown address"} · last active {lastActive} · signed in{" "}
                      {relativeTime(s.createdAt, now)}
                    </p>
                  </div>
                  {!s.current && (
                    <EndSessionForm
                      sessionId={s.id}
                      label={`End the session of ${device}, last active ${lastActive}`}
                    />
                  )}
                </li>
              );
            })}
          </ul>
          <SignOutOthersForm others={sessions.filter((s) => !s.current).length} />
        </section>

        <section className="card stack" aria-labelledby="data-heading">
          <h2 id="data-heading">Your data</h2>
          <p>Everything you've stored here — your lists and tasks, with every field — as one JSON file.</p>
          <p>
            <a href="/account/export" download className="button-link secondary-link">
              Download my data
            </a>
          </p>
        </section>

        <section className="card stack" aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete your account</h2>
          <p>
            Your account, lists and tasks are deleted for good and you are signed out everywhere. This can't be undone.
          </p>
          <p>
            <a href="/account/delete" className="button-link danger-link">
              Delete account
            </a>
          </p>
        </section>
      </main>
    </>
  );
}
