/** The cookie in which the browser tells the server its time zone (an IANA name; not a secret). */
export const TIME_ZONE_COOKIE = "tz";

/** A valid IANA time zone name, or null. */
export function validTimeZone(value: string | null | undefined): string | null {
  if (!value || value.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(value)) return null;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return value;
  } catch {
    return null;
  }
}

/** Today's calendar date ("YYYY-MM-DD") in a time zone (UTC when unknown). */
export function todayIn(timeZone: string | null, now = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: timeZone ?? "UTC",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}
