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
    destination ?? bufferedStdout(),
  );
}

// Lines go out in batches of ~2 KiB, at the latest 250 ms after they were logged, rather than one write(2)
// per line: with a line per request that syscall (and waking whatever reads the pipe) was a measurable part
// of each request (get +20–40% req/s without it in `pnpm bench`). Batches stay under PIPE_BUF (4 KiB), so
// the workers of a cluster sharing one stdout never interleave inside each other's lines. pino flushes the
// batch synchronously on exit, so only a process killed outright (SIGKILL, OOM), or one whose stdout takes
// nothing for EXIT_FLUSH_WAIT_MS, can lose its last lines.
const FLUSH_EVERY_MS = 250;
/**
 * How long the flush on exit waits for a stdout that takes nothing (a full pipe whose reader stopped reading).
 * sonic-boom retries that write forever, 100 ms at a time, on the main thread: the process then neither exits
 * nor runs its SIGTERM handler (cluster workers whose primary was SIGKILLed lived on for an hour that way).
 * Past this wait the flush throws: the last lines are lost and the process exits (with an error code).
 */
const EXIT_FLUSH_WAIT_MS = 2_000;

let exitFlushGiveUpAt: number | undefined;

function bufferedStdout(): DestinationStream {
  if (exitFlushGiveUpAt === undefined) {
    exitFlushGiveUpAt = Number.POSITIVE_INFINITY;
    // Prepended, so it runs before pino's own exit handler that flushes synchronously.
    process.prependListener("exit", () => {
      exitFlushGiveUpAt = Date.now() + EXIT_FLUSH_WAIT_MS;
    });
  }
  const stream = pino.destination({
    dest: 1,
    sync: false,
    minLength: 2048,
    maxWrite: 4096,
    // While running, a busy reader is waited for (asynchronously, as before); only the exit flush gives up.
    retryEAGAIN: () => Date.now() < (exitFlushGiveUpAt ?? Number.POSITIVE_INFINITY),
  });
  setInterval(() => stream.flush(), FLUSH_EVERY_MS).unref();
  return stream;
}
