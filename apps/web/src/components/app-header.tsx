import Link from "next/link";
import { signOut } from "@/app/(auth)/actions";

/** The signed-in header: the brand (back to the tasks), the account page, who is signed in, and "Sign out". */
export function AppHeader({ email, current }: { email: string | null; current?: "tasks" | "account" }) {
  return (
    <header className="topbar">
      <Link href="/tasks" className="brand" aria-current={current === "tasks" ? "page" : undefined}>
        Todo
      </Link>
      <div className="account">
        {email && <span className="who">{email}</span>}
        <Link href="/account" className="quiet-link" aria-current={current === "account" ? "page" : undefined}>
          Account
        </Link>
        <form action={signOut}>
          <button type="submit" className="quiet">
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}
