import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";

/**
 * Work a request starts but does not wait for (e.g. preparing a mail): run on the next turn of the event
 * loop, after the handler has answered; failures are logged. `drain` lets shutdown wait for it, bounded.
 */
export class BackgroundJobs {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(name: string, job: () => Promise<void>, log: Logger = this.logger): void {
    const running: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(job)
      .catch((err: Error) => log.error({ job: name, err: { message: err.message } }, "background job failed"))
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  /** Resolves once every job started so far has ended, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.allSettled([...this.pending]), delay(timeoutMs, undefined, { ref: false })]);
  }
}
