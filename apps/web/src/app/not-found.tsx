import Link from "next/link";

export default function NotFound() {
  return (
    <main className="narrow">
      <h1>Page not found</h1>
      <p>
        <Link href="/tasks">Go to your tasks</Link>
      </p>
    </main>
  );
}
