import type { Metadata } from "next";
import Link from "next/link";
import { ResetPasswordForm } from "./reset-form";

// The token is in this page's address: no referrer leaves it (next.config.ts also sends the header), no cache keeps it.
export const metadata: Metadata = { title: "Set a new password · Todo", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: unknown }> }) {
  const { token } = await searchParams;
  const usable = typeof token === "string" && token.length > 0 && token.length <= 512;
  return (
    <main className="narrow">
      <h1>Set a new password</h1>
      {usable ? (
        <ResetPasswordForm token={token} />
      ) : (
        <div className="card stack">
          <p className="alert" role="alert">
            This link is incomplete. Open the link from the email exactly as it is, or ask for a new one.
          </p>
          <Link href="/forgot-password" className="button-link">
            Request a new link
          </Link>
        </div>
      )}
    </main>
  );
}
