/**
 * Only paths of this site: `next` comes from the URL, and must not turn a redirect into an open redirect.
 * Printable ASCII only, so no tab or newline (which browsers drop, turning "/\t/evil" into "//evil"), and no
 * backslash (which browsers read as a slash).
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !/^\/(?!\/)[\x21-\x7e]*$/.test(next) || next.includes("\\")) return "/tasks";
  return next;
}
