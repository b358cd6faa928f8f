import pg from "pg";

/** PostgreSQL's `timestamptz`. */
export const TIMESTAMPTZ_OID = 1184;

const fallback = pg.types.getTypeParser(TIMESTAMPTZ_OID, "text") as (value: string) => Date;
const ZERO = 48;
const digits = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + s.charCodeAt(i) - ZERO;
  return n;
};

/**
 * `timestamptz` text as PostgreSQL sends it in UTC (`2026-12-03 07:40:12.123456+00`, the session time zone of a
 * server in UTC and of Neon), read straight into a Date; any other form (another offset, BC, infinity, a year past
 * 9999) goes to pg's own parser, so the result is always the same as pg's (milliseconds truncated, as a Date holds
 * them). The task routes read three timestamps a task, 60 on a page: pg's general parser (a regular expression and
 * string splitting per value) was about 4% of the list route's CPU (docs/performance.md).
 */
export function parseTimestamptz(s: string): Date {
  const n = s.length;
  // "YYYY-MM-DD HH:MM:SS" then an optional fraction of 1 to 6 digits, then "+00".
  if (
    n >= 22 &&
    n <= 29 &&
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    s.charCodeAt(10) === 32 &&
    s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58 &&
    s.charCodeAt(n - 3) === 43 &&
    s.charCodeAt(n - 2) === ZERO &&
    s.charCodeAt(n - 1) === ZERO &&
    (n === 22 || (n >= 24 && s.charCodeAt(19) === 46))
  ) {
    let ms = 0;
    if (n > 22) {
      // Up to three fraction digits count, as in a Date; the rest are dropped (truncated, like pg does).
      const end = Math.min(n - 3, 23);
      ms = digits(s, 20, end) * 10 ** (23 - end);
    }
    const year = digits(s, 0, 4);
    // Date.UTC maps years 0–99 to 1900–1999; pg's parser sets the full year. Leave those to it.
    if (year >= 100) {
      return new Date(
        Date.UTC(
          year,
          digits(s, 5, 7) - 1,
          digits(s, 8, 10),
          digits(s, 11, 13),
          digits(s, 14, 16),
          digits(s, 17, 19),
          ms,
        ),
      );
    }
  }
  return fallback(s);
}
