"use client";

// Anything unexpected while rendering: a friendly page with a way to retry, never a stack trace.
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="narrow">
      <h1>Something went wrong</h1>
      <div className="card stack">
        <p>We couldn't load this page. The todo service may be unavailable; please try again in a moment.</p>
        <p>
          <button type="button" className="primary" onClick={() => reset()}>
            Try again
          </button>
        </p>
      </div>
    </main>
  );
}
