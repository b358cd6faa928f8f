import { type DestinationStream, type Logger, pino } from "pino";

/**
 * Paths that must never reach a log line. Secrets are redacted wherever they appear,
 * not only where today's code puts them.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "headers.cookie",
  "authorization",
  "password",
  "accessToken",
  "refreshToken",
  "token",
  "*.password",
  "*.accessToken",
  "*.refreshToken",
  "*.token",
  "*.authorization",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
