import { EnvError, loadEnv } from "./config/env.js";
import { createLogger } from "./lib/logger.js";
import { startServer } from "./server.js";

async function main(): Promise<void> {
  let env: ReturnType<typeof loadEnv>;
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
  const running = await startServer(env, logger);
  logger.info(
    { url: running.url, database: running.db.kind, ...(running.db.kind === "pglite" && { dir: env.PGLITE_DIR }) },
    "Todo API listening",
  );

  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down: draining in-flight requests");
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
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((err: unknown) => {
  console.error("Failed to start the Todo API:", err instanceof Error ? err.message : err);
  process.exit(1);
});
