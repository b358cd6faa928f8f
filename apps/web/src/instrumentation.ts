// Runs once when the Next.js server starts: a bad configuration stops it there, not at the first request.
export async function register(): Promise<void> {
  const { webEnv } = await import("./env");
  webEnv();
}
