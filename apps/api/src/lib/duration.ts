const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/**
 * Parses a duration such as `900`, `90s`, `15m`, `24h` or `30d` into whole seconds.
 * Returns undefined for anything else, so callers can report the offending value.
 */
export function parseDurationSeconds(value: string): number | undefined {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] || "s").toLowerCase() as keyof typeof UNIT_SECONDS;
  const seconds = amount * UNIT_SECONDS[unit];
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : undefined;
}
