import cluster from "node:cluster";
import { runPrimary } from "./cluster.js";
import { type Env, EnvError, loadEnv } from "./config/env.js";
import { createLogger } from "./lib/logger.js";
import { startServer } from "./server.js";

async function main(): Promise<void> {
  let env: Env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(env.LOG_LEVEL);
  if (env.jwtSecretSource === "generated") {
    logger.warn("No JWT_SECRET or BETTER_AUTH_SECRET set: using a random secret; tokens will not survive a restart");
  }
  const external = env.externalTokens;
  if (external.jwksUrl !== undefined || external.issuer !== undefined) {
    logger.info(
      { jwksUrl: external.jwksUrl ?? null, issuer: external.issuer ?? null, audience: external.audience ?? null },
      "accepting tokens of an external identity provider",
    );
  }
  if (env.WEB_CONCURRENCY > 1 && cluster.isPrimary) {
    process.exit(await runPrimary(env, logger));
  }

  const running = await startServer(env, logger, { clusterWorker: cluster.isWorker });
  logger.info(
    { url: running.url, database: running.db.kind, ...(running.db.dataDir && { dir: running.db.dataDir }) },
    "Todo API listening",
  );

  let shuttingDown = false;
  const shutdown = (reason: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ reason }, "shutting down: draining in-flight requests");
    running.close().then(
      () => {
        logger.info("shutdown complete");
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a second signal (Ctrl-C reaches a cluster's workers and its primary, which forwards
  // SIGTERM) must not fall back to the default action and cut the drain short.
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  // The primary is gone (killed outright, or exited): nobody will send SIGTERM or replace this worker.
  // node:cluster would call process.exit at once, cutting in-flight requests; marking the disconnect as
  // expected stops that, and the worker drains (SHUTDOWN_GRACE_MS at most) and exits like on SIGTERM.
  const worker = cluster.worker;
  if (worker) {
    worker.on("disconnect", () => {
      worker.exitedAfterDisconnect = true;
      shutdown("primary gone");
    });
  }
}

main().catch((err: unknown) => {
  console.error("Failed to start the Todo API:", err instanceof Error ? err.message : err);
  process.exit(1);
});
