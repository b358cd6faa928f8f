import type { Metadata } from "next";
import { AppHeader } from "@/components/app-header";
import { requireSession } from "@/lib/server-session";
import { DeleteAccountForm } from "../forms";

export const metadata: Metadata = { title: "Delete account · Todo" };

export default async function DeleteAccountPage() {
  const session = await requireSession();
  return (
    <>
      <AppHeader email={session.email} current="account" />
      <main className="narrow">
        <h1>Delete your account</h1>
        <p className="lead">
          This deletes your account{session.email ? ` (${session.email})` : ""}, every list and every task, and signs
          you out everywhere. It can't be undone: download your data first if you want to keep it.
        </p>
        <DeleteAccountForm email={session.email} />
      </main>
    </>
  );
}
