import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import { AccessTokens } from "./auth/access-tokens.js";
import { createAuthService } from "./auth/auth-service.js";
import { Authenticator } from "./auth/authenticator.js";
import { PasswordHasher } from "./auth/passwords.js";
import { RateLimiter } from "./auth/rate-limiter.js";
import { purgeEndedSessions } from "./auth/session-cleanup.js";
import { SessionRevocations } from "./auth/session-revocations.js";
import { UserProvisioning } from "./auth/user-provisioning.js";
import type { Env } from "./config/env.js";
import { MIGRATION_PATHS } from "./config/paths.js";
import { type Database, type DatabaseTarget, openDatabase } from "./db/database.js";
import { applyMigrations } from "./db/schema-engine.js";
import { createApp } from "./http/app.js";
import { createTaskService } from "./tasks/task-service.js";

const RATE_LIMIT_PURGE_MS = 5 * 60_000;
const DB_CLOSE_WAIT_MS = 2_000;

export function databaseTarget(env: Env): DatabaseTarget {
  return env.DATABASE_URL
    ? {
        kind: "postgres",
        url: env.DATABASE_URL,
        poolMax: env.DB_POOL_MAX,
        connectionTimeoutMs: env.DB_CONNECTION_TIMEOUT_MS,
        statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      }
    : { kind: "pglite", dir: env.PGLITE_DIR };
}

export interface RunningServer {
  url: string;
  server: Server;
  db: Database;
  /** Stops accepting connections, lets in-flight requests finish (bounded), closes the database. */
  close(): Promise<void>;
}

/** The composition root: database, migrations, services, HTTP. */
export async function startServer(env: Env, logger: Logger): Promise<RunningServer> {
  const db = await openDatabase(databaseTarget(env), logger);
  if (env.MIGRATE_ON_START) {
    const applied = await applyMigrations(db.adapterFactory, MIGRATION_PATHS);
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
  }

  const tokens = new AccessTokens(env.jwtSecret, env.ACCESS_TOKEN_TTL);
  const revocations = new SessionRevocations(db.prisma, env.ACCESS_TOKEN_TTL, logger);
  await revocations.start(env.REVOCATION_SYNC_MS);
  const rateLimiter = new RateLimiter(db.prisma);
  // Housekeeping: ended rate-limit windows and long-ended sign-ins (failures are retried next time).
  const purgeTimer = setInterval(() => {
    rateLimiter.purgeExpired().catch(() => undefined);
    purgeEndedSessions(db.prisma, env.ACCESS_TOKEN_TTL).catch(() => undefined);
  }, RATE_LIMIT_PURGE_MS).unref();

  let accepting = true;
  const app = createApp({
    env,
    logger,
    db,
    authenticator: new Authenticator(tokens, revocations, new UserProvisioning(db.prisma), logger),
    auth: createAuthService({
      prisma: db.prisma,
      hasher: new PasswordHasher(env.BCRYPT_COST),
      tokens,
      revocations,
      rateLimiter,
      refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL,
      limits: {
        loginPerAccount: {
          name: "login-account",
          limit: env.RATE_LIMIT_LOGIN_PER_ACCOUNT,
          windowSeconds: env.RATE_LIMIT_LOGIN_WINDOW,
        },
        loginPerAddress: {
          name: "login-address",
          limit: env.RATE_LIMIT_LOGIN_PER_ADDRESS,
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
      },
    }),
    tasks: createTaskService(db.prisma),
    isAcceptingTraffic: () => accepting,
    readinessTimeoutMs: Math.min(2_000, env.DB_CONNECTION_TIMEOUT_MS),
  });

  const server = app.listen(env.PORT, env.HOST);
  applyTimeouts(server, env);
  const inFlight = trackInFlight(server, env.REQUEST_TIMEOUT_MS, () => accepting, logger);
  await new Promise<void>((resolveListen, reject) => {
    server.once("listening", resolveListen);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    server,
    db,
    close() {
      closing ??= (async () => {
        // From here /readyz answers 503 and every response asks its client to reconnect (elsewhere).
        accepting = false;
        for (const res of inFlight) closeAfterResponse(res);
        if (env.SHUTDOWN_DELAY_MS > 0) await delay(env.SHUTDOWN_DELAY_MS);
        revocations.stop();
        clearInterval(purgeTimer);
        await new Promise<void>((done) => {
          const force = setTimeout(() => {
            logger.warn({ inFlight: inFlight.size }, "shutdown grace period over: closing remaining connections");
            server.closeAllConnections();
          }, env.SHUTDOWN_GRACE_MS).unref();
          server.close(() => {
            clearTimeout(force);
            done();
          });
          // Keep-alive connections with no request in flight would otherwise hold close() open.
          server.closeIdleConnections();
        });
        // A query still running on a cut connection holds its pool client until its statement ends; the
        // process may exit before that, and PostgreSQL rolls back whatever was not committed.
        await Promise.race([db.close(), delay(DB_CLOSE_WAIT_MS)]);
      })();
      return closing;
    },
  };
}

/**
 * Node's own limits: `requestTimeout` bounds receiving a whole request, `headersTimeout` its headers (slow
 * clients); `keepAliveTimeout` outlasts a load balancer's idle timeout so it never reuses a socket we close.
 */
function applyTimeouts(server: Server, env: Env): void {
  server.requestTimeout = env.REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(env.REQUEST_TIMEOUT_MS, 60_000);
  server.keepAliveTimeout = env.KEEP_ALIVE_TIMEOUT_MS;
}

const DEADLINE_BODY = JSON.stringify({
  error: { code: "SERVICE_UNAVAILABLE", message: "The request took too long; try again shortly", details: [] },
});

/**
 * Tracks the responses not yet sent, for the drain, and gives each a deadline: database waits and
 * statements have their own timeouts, but this bounds the whole request whatever it waits on. Runs before
 * Express sees the request; a Set insert and one timer per request are all it costs.
 */
function trackInFlight(
  server: Server,
  deadlineMs: number,
  isAccepting: () => boolean,
  logger: Logger,
): Set<ServerResponse> {
  const inFlight = new Set<ServerResponse>();
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    if (!isAccepting()) closeAfterResponse(res);
    const deadline = setTimeout(() => {
      logger.warn({ method: req.method, url: req.url, deadlineMs }, "request deadline exceeded");
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(503, {
        "content-type": "application/json; charset=utf-8",
        "retry-after": "5",
        connection: "close",
      });
      res.end(DEADLINE_BODY);
    }, deadlineMs);
    res.once("close", () => {
      clearTimeout(deadline);
      inFlight.delete(res);
    });
  });
  return inFlight;
}

function closeAfterResponse(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader("Connection", "close");
}
