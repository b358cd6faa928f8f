import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import type { Env } from "./config/env.js";
import { databaseTarget } from "./db/database.js";
import { openMigratedDatabase } from "./db/migrated-database.js";
import { clusterMetricsSource } from "./metrics/metrics.js";
import { type MetricsServer, serveMetrics } from "./metrics/metrics-server.js";

/** A worker that lived this long was healthy: its crash starts the backoff afresh. */
const HEALTHY_UPTIME_MS = 30_000;
const FIRST_RESTART_DELAY_MS = 250;
const MAX_RESTART_DELAY_MS = 30_000;
/** Beyond the workers' own drain: time for them to close the pool and exit before they are killed. */
const EXIT_MARGIN_MS = 5_000;

/**
 * The primary of `WEB_CONCURRENCY` > 1: applies migrations once, then runs that many workers sharing the
 * port (node:cluster hands connections out round-robin), restarts any that die (with backoff), and on
 * SIGTERM/SIGINT lets each drain as a single process would. Resolves with the exit code it wants.
 * With METRICS_PORT set, the primary serves the metrics: each scrape asks every worker for its own and sums them.
 *
 * Nothing a worker needs to share lives in its memory: rate-limit counters are rows in PostgreSQL, and
 * revocations are polled from it by every worker (see SignInRevocations).
 */
export async function runPrimary(env: Env, logger: Logger): Promise<number> {
  if (!env.DATABASE_URL) {
    throw new Error(
      "WEB_CONCURRENCY > 1 needs DATABASE_URL: the embedded PGlite database can only be opened by one process",
    );
  }
  if (env.MIGRATE_ON_START) {
    // Here rather than in each worker: one schema-engine start instead of N, and the workers' start-up
    // does not wait on each other's advisory lock.
    const { db } = await openMigratedDatabase(databaseTarget(env), logger, { waitMs: env.DB_STARTUP_WAIT * 1000 });
    await db.close();
  }

  const metricsServer: MetricsServer | undefined =
    env.METRICS_PORT === undefined
      ? undefined
      : await serveMetrics(env.METRICS_HOST, env.METRICS_PORT, clusterMetricsSource(), logger);

  // Merged into each worker's environment by cluster.fork.
  const workerEnv: Record<string, string> = { MIGRATE_ON_START: "false" };
  // A secret made up here must be the same in every worker, or a token minted by one fails on the others.
  if (env.jwtSecretSource === "generated") workerEnv.JWT_SECRET = env.jwtSecret;

  let stopping = false;
  const slots = new Map<Worker, { slot: number; startedAt: number }>();
  const failures = new Map<number, number>();
  const restartTimers = new Set<NodeJS.Timeout>();

  const fork = (slot: number) => {
    const worker = cluster.fork(workerEnv);
    slots.set(worker, { slot, startedAt: Date.now() });
  };

  let exitCode = 0;
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  cluster.on("exit", (worker, code, signal) => {
    const entry = slots.get(worker);
    slots.delete(worker);
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (slots.size === 0) resolveExit(exitCode);
      return;
    }
    if (!entry) return;
    const uptime = Date.now() - entry.startedAt;
    const failed = uptime >= HEALTHY_UPTIME_MS ? 1 : (failures.get(entry.slot) ?? 0) + 1;
    failures.set(entry.slot, failed);
    const wait = Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (failed - 1));
    logger.error(
      { worker: worker.process.pid, code, signal, uptimeMs: uptime, restartInMs: wait },
      "worker died; restarting",
    );
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      if (!stopping) fork(entry.slot);
    }, wait);
    restartTimers.add(timer);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: slots.size }, "shutting down: workers draining");
    for (const timer of restartTimers) clearTimeout(timer);
    for (const worker of slots.keys()) worker.process.kill("SIGTERM");
    setTimeout(
      () => {
        for (const worker of slots.keys()) {
          logger.error({ worker: worker.process.pid }, "worker did not exit in time; killing it");
          worker.process.kill("SIGKILL");
        }
      },
      env.SHUTDOWN_DELAY_MS + env.SHUTDOWN_GRACE_MS + EXIT_MARGIN_MS,
    ).unref();
    if (slots.size === 0) resolveExit(exitCode);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  for (let slot = 0; slot < env.WEB_CONCURRENCY; slot++) fork(slot);
  logger.info({ workers: env.WEB_CONCURRENCY, primary: process.pid }, "cluster started");
  const code = await exited;
  await metricsServer?.close();
  return code;
}
