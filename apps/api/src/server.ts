import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import { connectionsCheckingIntervalMs } from "../../../tooling/net-guard.mjs";
import { createAccountService } from "./accounts/account-service.js";
import { purgeAccountLeftovers } from "./accounts/housekeeping.js";
import { AccessTokens } from "./auth/access-tokens.js";
import { type AuthLimits, type AuthServiceDeps, createAuthService } from "./auth/auth-service.js";
import { Authenticator } from "./auth/authenticator.js";
import { deriveKey } from "./auth/derived-keys.js";
import { DeviceTokens } from "./auth/device-tokens.js";
import { hashPoolDepth } from "./auth/hash-pool.js";
import { PasswordHasher } from "./auth/passwords.js";
import { RateLimiter } from "./auth/rate-limiter.js";
import { RemoteKeySet } from "./auth/remote-key-set.js";
import { purgeEndedSignIns } from "./auth/sign-in-cleanup.js";
import { SignInRevocations } from "./auth/sign-in-revocations.js";
import { SignIns } from "./auth/sign-ins.js";
import { TokenVerifier } from "./auth/token-verifier.js";
import { UserProvisioning } from "./auth/user-provisioning.js";
import type { Env } from "./config/env.js";
import { type Database, databaseTarget } from "./db/database.js";
import { openMigratedDatabase } from "./db/migrated-database.js";
import { untilDatabaseAnswers } from "./db/startup-wait.js";
import { createApp } from "./http/app.js";
import { createAppServer } from "./http/app-server.js";
import { ServerLifecycle } from "./http/lifecycle.js";
import { IdempotencyStore, purgeExpiredIdempotencyRecords } from "./idempotency/idempotency-store.js";
import { BackgroundJobs } from "./lib/background.js";
import { Mailer } from "./mail/mailer.js";
import { Metrics, registrySource } from "./metrics/metrics.js";
import { type MetricsServer, serveMetrics } from "./metrics/metrics-server.js";
import { createChangesService, purgeOldTombstones } from "./sync/changes-service.js";
import { createListService } from "./tasks/list-service.js";
import { createOwnerGate } from "./tasks/owner-gate.js";
import { createTaskService } from "./tasks/task-service.js";

const RATE_LIMIT_PURGE_MS = 5 * 60_000;
const DB_CLOSE_WAIT_MS = 2_000;

export interface RunningServer {
  url: string;
  server: Server;
  db: Database;
  /** `http://host:port/metrics` when this process serves the metrics (METRICS_PORT set, not a cluster worker). */
  metricsUrl: string | undefined;
  /** Stops accepting connections, lets in-flight requests finish (bounded), closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** A cluster worker: its metrics go to the primary, which serves the aggregate, instead of a port of its own. */
  clusterWorker?: boolean;
}

/** The composition root: database, migrations, services, HTTP. */
export async function startServer(env: Env, logger: Logger, options: StartOptions = {}): Promise<RunningServer> {
  const startupWait = { waitMs: env.DB_STARTUP_WAIT * 1000, logger };
  const { db } = await openMigratedDatabase(databaseTarget(env), logger, {
    migrate: env.MIGRATE_ON_START,
    waitMs: startupWait.waitMs,
  });
  const metrics =
    env.METRICS_PORT === undefined ? undefined : new Metrics({ pool: () => db.poolStats(), hashQueue: hashPoolDepth });

  const tokens = new AccessTokens(env.jwtSecret, env.ACCESS_TOKEN_TTL);
  const verifier = createTokenVerifier(env, logger);
  const revocations = new SignInRevocations(db.prisma, env.ACCESS_TOKEN_TTL, logger);
  await untilDatabaseAnswers("revocations", () => revocations.start(env.REVOCATION_SYNC_MS), startupWait);
  const rateLimiter = new RateLimiter(db.prisma);
  // Housekeeping: ended rate-limit windows and long-ended sign-ins (failures are retried next time).
  const purgeTimer = setInterval(() => {
    rateLimiter.purgeExpired().catch(() => undefined);
    purgeEndedSignIns(db.prisma, env.ACCESS_TOKEN_TTL).catch(() => undefined);
    purgeAccountLeftovers(db.prisma, env.ACCESS_TOKEN_TTL).catch(() => undefined);
    purgeExpiredIdempotencyRecords(db.prisma).catch(() => undefined);
    purgeOldTombstones(db.prisma, env.SYNC_TOMBSTONE_TTL).catch(() => undefined);
  }, RATE_LIMIT_PURGE_MS).unref();

  const lifecycle = new ServerLifecycle(env, logger);
  const mailer = new Mailer({
    smtpUrl: env.SMTP_URL,
    // The outbox is a development convenience; production without SMTP_URL sends nothing (503 on reset).
    outboxDir: env.NODE_ENV === "production" ? undefined : env.MAIL_OUTBOX_DIR,
    from: env.MAIL_FROM,
    attempts: env.MAIL_SEND_ATTEMPTS,
    retryDelayMs: env.MAIL_RETRY_DELAY_MS,
    logger,
  });
  if (!mailer.available) logger.warn("no mail server (SMTP_URL unset): password reset answers 503 MAIL_UNAVAILABLE");
  const background = new BackgroundJobs(logger);
  const provisioning = new UserProvisioning(db.prisma);
  const authDeps: AuthServiceDeps = {
    prisma: db.prisma,
    hasher: new PasswordHasher(env.BCRYPT_COST, {
      maxQueued: env.HASH_QUEUE_MAX,
      maxQueuedPerClient: env.HASH_QUEUE_MAX_PER_CLIENT,
    }),
    tokens,
    revocations,
    rateLimiter,
    onRateLimited: metrics?.rateLimitRejected,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL,
    refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
    refreshReuseGraceMaxReplays: env.REFRESH_REUSE_GRACE_MAX_REPLAYS,
    refreshSuccessorKey: deriveKey(env.jwtSecret, "refresh-successor"),
    deviceTokens: new DeviceTokens(deriveKey(env.jwtSecret, "device-token"), env.DEVICE_TOKEN_TTL),
    limits: authLimits(env),
  };

  const ownerGate = createOwnerGate({ perOwner: env.OWNER_WRITES_IN_DATABASE, waitMs: env.DB_CONNECTION_TIMEOUT_MS });
  const app = createApp({
    env,
    logger,
    db,
    metrics,
    authenticator: new Authenticator({
      verifier,
      revocations,
      signIns: new SignIns(db.prisma),
      provisioning,
      logger,
      onFailure: metrics?.authFailed,
    }),
    auth: createAuthService(authDeps),
    account: createAccountService({
      ...authDeps,
      sql: db.sql,
      mailer,
      background,
      appUrl: env.APP_URL,
      passwordResetTtlSeconds: env.PASSWORD_RESET_TTL,
      accountLimits: {
        resetRequestPerAddress: {
          name: "password-reset-address",
          limit: env.RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS,
          windowSeconds: env.RATE_LIMIT_PASSWORD_RESET_WINDOW,
        },
        resetMailPerAccount: {
          name: "password-reset-mail-account",
          limit: env.PASSWORD_RESET_MAILS_PER_ACCOUNT,
          windowSeconds: env.PASSWORD_RESET_MAIL_WINDOW,
        },
        resetConfirmPerAddress: {
          name: "password-reset-confirm-address",
          limit: env.RATE_LIMIT_RESET_CONFIRM_PER_ADDRESS,
          windowSeconds: env.RATE_LIMIT_RESET_CONFIRM_WINDOW,
        },
      },
      onAccountDeleted: (userId) => provisioning.forget(userId),
    }),
    tasks: createTaskService(db.sql, { maxTasksPerUser: env.MAX_TASKS_PER_USER }, ownerGate),
    lists: createListService(db.sql, { maxListsPerUser: env.MAX_LISTS_PER_USER }, ownerGate),
    changes: createChangesService(db.sql),
    idempotency: new IdempotencyStore(db.prisma, {
      ttlSeconds: env.IDEMPOTENCY_KEY_TTL,
      // Past the longest a request can run (its deadline, or a statement still running after it), so a slow
      // first request is never taken over and run twice.
      leaseMs: Math.max(env.REQUEST_TIMEOUT_MS, env.DB_STATEMENT_TIMEOUT_MS) + 5_000,
    }),
    isAcceptingTraffic: lifecycle.isAccepting,
    readinessTimeoutMs: Math.min(2_000, env.DB_CONNECTION_TIMEOUT_MS),
  });

  const server = createAppServer(app, {
    connectionsCheckingInterval: connectionsCheckingIntervalMs(env.HEADERS_TIMEOUT_MS),
  }).listen(env.PORT, env.HOST);
  const trustProxy = app.get("trust proxy fn") as (address: string, hop: number) => boolean;
  lifecycle.attach(server, (address) => trustProxy(address, 0));
  await new Promise<void>((resolveListen, reject) => {
    server.once("listening", resolveListen);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST;

  let metricsServer: MetricsServer | undefined;
  if (metrics && env.METRICS_PORT !== undefined) {
    if (options.clusterWorker) metrics.reportToPrimary();
    else
      metricsServer = await serveMetrics(env.METRICS_HOST, env.METRICS_PORT, registrySource(metrics.registry), logger);
  }

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    server,
    db,
    metricsUrl: metricsServer?.url,
    close() {
      closing ??= (async () => {
        await lifecycle.drain(server, () => {
          revocations.stop();
          clearInterval(purgeTimer);
        });
        // A query still running on a cut connection holds its pool client until its statement ends; the
        // process may exit before that, and PostgreSQL rolls back whatever was not committed.
        // Mail prepared for requests already answered gets a bounded moment to go out.
        await background.drain(DB_CLOSE_WAIT_MS);
        await mailer.close(DB_CLOSE_WAIT_MS);
        await Promise.race([db.close(), delay(DB_CLOSE_WAIT_MS)]);
        await metricsServer?.close();
      })();
      return closing;
    },
  };
}

/** The one token verifier: the API's own tokens, and a Better Auth frontend's (JWKS and/or shared secret). */
function createTokenVerifier(env: Env, logger: Logger): TokenVerifier {
  const { jwksUrl, issuer, audience, jwksCooldownSeconds } = env.externalTokens;
  const keySet =
    jwksUrl === undefined
      ? undefined
      : new RemoteKeySet({
          url: jwksUrl,
          cooldownMs: jwksCooldownSeconds * 1000,
          onFetchError: (err) =>
            logger.warn(
              { jwksUrl, err: { message: err instanceof Error ? err.message : String(err) } },
              "identity provider key set fetch failed",
            ),
        });
  return new TokenVerifier({ secret: env.jwtSecret, external: { issuer, audience }, keySet });
}

/** The failed-login, registration and refresh limits, from the environment. */
function authLimits(env: Env): AuthLimits {
  return {
    loginPerAccountAndAddress: {
      name: "login-account-address",
      limit: env.RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS,
      windowSeconds: env.RATE_LIMIT_LOGIN_WINDOW,
    },
    loginPerAddress: {
      name: "login-address",
      limit: env.RATE_LIMIT_LOGIN_PER_ADDRESS,
      windowSeconds: env.RATE_LIMIT_LOGIN_WINDOW,
    },
    loginPerAccount: {
      name: "login-account",
      limit: env.RATE_LIMIT_LOGIN_PER_ACCOUNT,
      windowSeconds: env.RATE_LIMIT_LOGIN_ACCOUNT_WINDOW,
    },
    loginPerDevice: {
      name: "login-device",
      limit: env.RATE_LIMIT_LOGIN_PER_DEVICE,
      windowSeconds: env.RATE_LIMIT_LOGIN_WINDOW,
    },
    registerPerAddress: {
      name: "register-address",
      limit: env.RATE_LIMIT_REGISTER_PER_ADDRESS,
      windowSeconds: env.RATE_LIMIT_REGISTER_WINDOW,
    },
    refreshPerAddress: {
      name: "refresh-address",
      limit: env.RATE_LIMIT_REFRESH_PER_ADDRESS,
      windowSeconds: env.RATE_LIMIT_REFRESH_WINDOW,
    },
  };
}
