import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import { isDatabaseUnavailable } from "./database-errors.js";

export interface StartupWait {
  /** How long, from the first attempt, a database that cannot be reached is waited for (0: fail at once). */
  waitMs: number;
  logger: Logger;
  /** First pause between attempts; doubles up to `maxPauseMs`. */
  firstPauseMs?: number;
  maxPauseMs?: number;
}

/**
 * Runs a start-up step that needs the database, and runs it again while the database cannot be reached or
 * cannot take it yet (refused or timed-out connections, a server still starting, a pool's connection wait
 * running out on a loaded machine), for up to `waitMs`. A process started next to its database, or a moment
 * before it, then starts instead of exiting; any other error (a failed migration, a bad schema) is thrown at
 * once, and so is the last outage once the wait is over.
 */
export async function untilDatabaseAnswers<T>(
  step: string,
  attempt: () => Promise<T>,
  { waitMs, logger, firstPauseMs = 250, maxPauseMs = 5_000 }: StartupWait,
): Promise<T> {
  const deadline = performance.now() + waitMs;
  for (let failures = 0; ; failures++) {
    try {
      return await attempt();
    } catch (error) {
      const left = deadline - performance.now();
      if (!isDatabaseUnavailable(error) || left <= 0) throw error;
      const pauseMs = Math.round(Math.min(firstPauseMs * 2 ** failures, maxPauseMs, left));
      // The reason's class only: a driver's message can quote the statement.
      logger.warn(
        { step, attempt: failures + 1, retryInMs: pauseMs, waitLeftMs: Math.round(left) },
        "database not answering at start; retrying",
      );
      await delay(pauseMs);
    }
  }
}
