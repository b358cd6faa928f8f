import Link from "next/link";

/** What a person sees when the API cannot be reached: an explanation and a way back, never a stack trace. */
export function ServiceUnavailable({ message }: { message?: string }) {
  return (
    <main className="narrow">
      <h1>The todo service is unavailable</h1>
      <div className="card stack">
        <p>
          {message ?? "We can't reach the todo service right now. Your tasks are safe; please try again in a moment."}
        </p>
        <p>
          <Link href="/tasks" className="button-link">
            Try again
          </Link>
        </p>
      </div>
    </main>
  );
}
