import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { z } from "zod";
import { parseDurationSeconds } from "../lib/duration.js";
import { trustProxyProblems } from "./trust-proxy.js";

const MIN_PRODUCTION_SECRET_BYTES = 32;

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const seconds = parseDurationSeconds(v);
      if (seconds === undefined) {
        ctx.addIssue({ code: "custom", message: `"${v}" is not a duration such as 900, 90s, 15m, 24h or 30d` });
        return z.NEVER;
      }
      return seconds;
    });

const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const booleanFlag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true" || v === "1");

/** `TRUST_PROXY`: false, true, a hop count, or a comma-separated list of addresses/subnets (Express semantics). */
const trustProxy = z
  .string()
  .default("false")
  .transform((v): boolean | number | string[] => {
    if (v === "true") return true;
    if (v === "false" || v === "") return false;
    if (/^\d+$/.test(v)) return Number(v);
    return v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  });

const csv = z
  .string()
  .default("")
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v));

const postgresUrl = optionalString.pipe(
  z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
);

/** An absolute http(s) URL (http only makes sense on a private network or in development). */
const httpUrl = optionalString.pipe(
  z
    .string()
    .url()
    .refine((v) => /^https?:\/\//i.test(v), "must be an http:// or https:// URL")
    .optional(),
);

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  PORT: int(3000, 0, 65_535),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: postgresUrl,
  // A session on the server itself (Prisma's `directUrl`), for migrations, when DATABASE_URL is a
  // transaction pooler (PgBouncer, Neon's pooled URL); unset: DATABASE_URL.
  DIRECT_DATABASE_URL: postgresUrl,
  // Relative paths are taken from the working directory (the package scripts pass the repository's .data/pglite).
  PGLITE_DIR: z
    .string()
    .default(".data/pglite")
    .transform((dir) => (dir === "memory://" ? dir : resolve(dir))),
  JWT_SECRET: optionalString,
  BETTER_AUTH_SECRET: optionalString,
  // A Better Auth frontend's base URL: its JWKS, issuer and audience follow from it (each can be overridden).
  BETTER_AUTH_URL: httpUrl,
  JWT_JWKS_URL: httpUrl,
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  // Least time between two fetches of the key set that an unknown `kid` may cause (a storm costs one per period).
  JWT_JWKS_COOLDOWN: duration("10s").refine((v) => v >= 1, "must be at least 1s: every unknown kid would fetch"),
  ACCESS_TOKEN_TTL: duration("24h"),
  REFRESH_TOKEN_TTL: duration("30d"),
  BCRYPT_COST: int(12, 4, 15),
  DB_POOL_MAX: int(20, 1, 500),
  DB_CONNECTION_TIMEOUT_MS: int(5_000, 100, 120_000),
  // One person's creates and moves that may wait on their owner's lock in the database at once, per process; the
  // rest wait in the process (at most DB_CONNECTION_TIMEOUT_MS). See src/tasks/owner-gate.ts.
  OWNER_WRITES_IN_DATABASE: int(2, 1, 100),
  // Keep the hot task queries as prepared statements on each connection. Unset: on, unless DIRECT_DATABASE_URL
  // is set (DATABASE_URL is then a transaction pooler, where a connection's statements are not its own).
  DB_PREPARED_STATEMENTS: z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "true" || v === "1")),
  // How long a starting process waits for a database it cannot reach yet (retrying) before it gives up.
  DB_STARTUP_WAIT: duration("30s"),
  DB_STATEMENT_TIMEOUT_MS: int(10_000, 100, 600_000),
  REQUEST_TIMEOUT_MS: int(30_000, 1_000, 600_000),
  SHUTDOWN_GRACE_MS: int(10_000, 0, 600_000),
  // How long /readyz fails before the listener closes, so a load balancer polling it stops routing here first.
  SHUTDOWN_DELAY_MS: int(0, 0, 600_000),
  // Above the usual load-balancer idle timeout (60 s), so the balancer, not us, closes idle connections and
  // never sends a request down a socket we are closing.
  KEEP_ALIVE_TIMEOUT_MS: int(65_000, 1_000, 600_000),
  JSON_BODY_LIMIT_BYTES: int(16 * 1024, 1024, 10 * 1024 * 1024),
  CORS_ORIGINS: csv,
  TRUST_PROXY: trustProxy,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  MIGRATE_ON_START: booleanFlag(true),
  REVOCATION_SYNC_MS: int(2_000, 100, 60_000),
  // Failed logins: a tight limit per account and client address, a ceiling per account across all addresses
  // (high, so someone else's guesses cannot lock the owner out), and a limit per address across accounts.
  RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS: int(10, 1, 1_000_000),
  RATE_LIMIT_LOGIN_PER_ADDRESS: int(100, 1, 1_000_000),
  RATE_LIMIT_LOGIN_WINDOW: duration("15m"),
  RATE_LIMIT_LOGIN_PER_ACCOUNT: int(100, 1, 1_000_000),
  RATE_LIMIT_LOGIN_ACCOUNT_WINDOW: duration("1h"),
  // Failed logins carrying one device token (OWASP device cookie) per RATE_LIMIT_LOGIN_WINDOW: such attempts
  // count against their device instead of the limits above, and a device token past it is locked itself.
  RATE_LIMIT_LOGIN_PER_DEVICE: int(10, 1, 1_000_000),
  // How long the device token of a successful sign-in is honoured.
  DEVICE_TOKEN_TTL: duration("90d"),
  RATE_LIMIT_REGISTER_PER_ADDRESS: int(100, 1, 1_000_000),
  RATE_LIMIT_REGISTER_WINDOW: duration("1h"),
  RATE_LIMIT_REFRESH_PER_ADDRESS: int(300, 1, 1_000_000),
  RATE_LIMIT_REFRESH_WINDOW: duration("15m"),
  // Retries and sync (docs/sync.md): how long an Idempotency-Key's answer is kept for replay, and how long the
  // ids of deleted tasks and lists are kept for the changes feed (older cursors get 410 CURSOR_EXPIRED).
  IDEMPOTENCY_KEY_TTL: duration("24h").refine((v) => v >= 60, "must be at least 60s"),
  SYNC_TOMBSTONE_TTL: duration("30d").refine((v) => v >= 60, "must be at least 60s"),
  WEB_CONCURRENCY: int(1, 1, 64),
  // Per-user quotas (OWASP API4): a create beyond them is a 409 QUOTA_EXCEEDED.
  MAX_TASKS_PER_USER: int(10_000, 1, 10_000_000),
  MAX_LISTS_PER_USER: int(200, 1, 100_000),
  // Password hashing jobs allowed to wait per process, in each lane (see HashLane) and per client address group
  // across lanes; beyond them 503 at once.
  HASH_QUEUE_MAX: int(32, 0, 100_000),
  HASH_QUEUE_MAX_PER_CLIENT: int(8, 0, 100_000),
  // A retired refresh token presented again this soon after its rotation is a retry (two tabs, a lost
  // response), answered with a new pair for the same sign-in; later it is theft.
  REFRESH_REUSE_GRACE_SECONDS: int(10, 0, 300),
  // Presentations of one retired refresh token answered within the grace (another tab, a retry); one more is
  // theft and ends the sign-in.
  REFRESH_REUSE_GRACE_MAX_REPLAYS: int(2, 0, 100),
  // From accepting a connection to its request's complete headers: bounds silent and trickling clients.
  HEADERS_TIMEOUT_MS: int(10_000, 1_000, 600_000),
  // Open connections per process beyond which new ones are closed at once (0: no limit).
  MAX_CONNECTIONS: int(1_000, 0, 1_000_000),
  // Open connections per client address (the TCP peer; IPv6 by /64) beyond which new ones are closed (0: no
  // limit). Proxies trusted by TRUST_PROXY are exempt: they carry many clients.
  MAX_CONNECTIONS_PER_CLIENT: int(100, 0, 1_000_000),
  // Prometheus metrics on a listener of their own, off unless a port is given; loopback unless told otherwise,
  // so the operators' endpoint is never public by accident. 0 picks a free port (tests).
  METRICS_PORT: optionalString.pipe(z.coerce.number().int().min(0).max(65_535).optional()),
  METRICS_HOST: z.string().default("127.0.0.1"),
  // Mail (password-reset links). Without SMTP_URL, development writes each mail as an .eml file to
  // MAIL_OUTBOX_DIR and production answers reset requests 503 MAIL_UNAVAILABLE.
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .url()
      .refine((v) => /^smtps?:\/\//i.test(v), "must be an smtp:// or smtps:// URL")
      .optional(),
  ),
  MAIL_FROM: z.string().min(3).default("Todo <no-reply@localhost>"),
  // The web app's origin: reset links point to ${APP_URL}/reset-password?token=…
  APP_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//i.test(v), "must be an http:// or https:// URL")
    .default("http://localhost:3001")
    .transform((v) => v.replace(/\/+$/, "")),
  MAIL_OUTBOX_DIR: z
    .string()
    .default(".data/outbox")
    .transform((dir) => resolve(dir)),
  // Attempts per mail (the first included), and the wait before the first retry (doubled each time after).
  MAIL_SEND_ATTEMPTS: int(5, 1, 100),
  MAIL_RETRY_DELAY_MS: int(2_000, 10, 3_600_000),
  PASSWORD_RESET_TTL: duration("30m").refine((v) => v >= 60, "must be at least 1m"),
  // Reset mails per account (more requests are still answered 202, without a mail), and reset requests and
  // confirmation attempts per client address.
  PASSWORD_RESET_MAILS_PER_ACCOUNT: int(5, 1, 1_000_000),
  PASSWORD_RESET_MAIL_WINDOW: duration("1h"),
  RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS: int(20, 1, 1_000_000),
  RATE_LIMIT_PASSWORD_RESET_WINDOW: duration("1h"),
  RATE_LIMIT_RESET_CONFIRM_PER_ADDRESS: int(20, 1, 1_000_000),
  RATE_LIMIT_RESET_CONFIRM_WINDOW: duration("15m"),
  // Set by pnpm and npm to the folder a command was typed in (package scripts run in apps/api): the
  // export and import commands take their file arguments from there.
  INIT_CWD: optionalString,
});

/** The name of every variable the API reads (the repository's `.env.example` must mention each). */
export const ENV_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

type ParsedEnv = z.infer<typeof EnvSchema>;

/** What tokens from an external identity provider (a Better Auth frontend) must satisfy. */
export interface ExternalTokenConfig {
  /** Where the provider's public keys are; unset: external tokens are only accepted as HS256 with the secret. */
  jwksUrl: string | undefined;
  /** Required `iss`; unset: not checked (shared-secret mode without BETTER_AUTH_URL or JWT_ISSUER). */
  issuer: string | undefined;
  /** Required `aud` (one of the token's audiences); unset: not checked. */
  audience: string | undefined;
  /** Least time between two key set fetches caused by unknown key ids, in seconds. */
  jwksCooldownSeconds: number;
}

export type Env = Omit<
  ParsedEnv,
  | "JWT_SECRET"
  | "BETTER_AUTH_SECRET"
  | "BETTER_AUTH_URL"
  | "JWT_JWKS_URL"
  | "JWT_ISSUER"
  | "JWT_AUDIENCE"
  | "JWT_JWKS_COOLDOWN"
> & {
  /** HS256 key: JWT_SECRET, else BETTER_AUTH_SECRET, else (outside production) a random per-start key. */
  jwtSecret: string;
  /** Which variable the secret came from, for the start-up log. */
  jwtSecretSource: "JWT_SECRET" | "BETTER_AUTH_SECRET" | "generated";
  externalTokens: ExternalTokenConfig;
};

/** Better Auth's defaults: iss = aud = the origin of its base URL, keys at `/api/auth/jwks` (default base path). */
function externalTokenConfig(data: ParsedEnv): ExternalTokenConfig {
  const origin = data.BETTER_AUTH_URL === undefined ? undefined : new URL(data.BETTER_AUTH_URL).origin;
  return {
    jwksUrl: data.JWT_JWKS_URL ?? (origin === undefined ? undefined : `${origin}/api/auth/jwks`),
    issuer: data.JWT_ISSUER ?? origin,
    audience: data.JWT_AUDIENCE ?? origin,
    jwksCooldownSeconds: data.JWT_JWKS_COOLDOWN,
  };
}

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/**
 * Validates the environment once, at start-up. This is the only module that reads process.env;
 * everything else receives the typed result.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const {
    JWT_SECRET,
    BETTER_AUTH_SECRET,
    BETTER_AUTH_URL: _url,
    JWT_JWKS_URL: _jwks,
    JWT_ISSUER: _iss,
    JWT_AUDIENCE: _aud,
    JWT_JWKS_COOLDOWN: _cooldown,
    ...rest
  } = parsed.data;
  if (rest.DIRECT_DATABASE_URL !== undefined && rest.DATABASE_URL === undefined) {
    throw new EnvError([
      "DIRECT_DATABASE_URL: only used with DATABASE_URL (the API's queries go through DATABASE_URL; without it the API runs on the embedded PGlite)",
    ]);
  }
  if (rest.METRICS_PORT !== undefined && rest.METRICS_PORT !== 0 && rest.METRICS_PORT === rest.PORT) {
    throw new EnvError([
      `METRICS_PORT: must differ from PORT (${rest.PORT}); metrics are served on a port of their own`,
    ]);
  }
  const secretSource = JWT_SECRET ? "JWT_SECRET" : BETTER_AUTH_SECRET ? "BETTER_AUTH_SECRET" : undefined;
  const secret = JWT_SECRET ?? BETTER_AUTH_SECRET;

  if (Array.isArray(rest.TRUST_PROXY)) {
    const problems = trustProxyProblems(rest.TRUST_PROXY, rest.NODE_ENV === "production");
    if (problems.length > 0) throw new EnvError(problems);
  }
  if (rest.NODE_ENV === "production") {
    if (rest.TRUST_PROXY === true) {
      throw new EnvError([
        "TRUST_PROXY: `true` trusts an X-Forwarded-For header any client can write, which defeats per-address " +
          "rate limits; in production give the number of proxy hops in front of the API (e.g. 1) or the " +
          "proxies' addresses/subnets (e.g. 10.0.0.0/8)",
      ]);
    }
    if (!secret) {
      throw new EnvError(["JWT_SECRET: required in production (or set BETTER_AUTH_SECRET)"]);
    }
    if (Buffer.byteLength(secret, "utf8") < MIN_PRODUCTION_SECRET_BYTES) {
      throw new EnvError([`${secretSource}: must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes in production`]);
    }
  }

  const externalTokens = externalTokenConfig(parsed.data);
  if (externalTokens.jwksUrl !== undefined && (!externalTokens.issuer || !externalTokens.audience)) {
    throw new EnvError([
      "JWT_JWKS_URL: tokens from a key set need an issuer and an audience to check: set BETTER_AUTH_URL, or JWT_ISSUER and JWT_AUDIENCE",
    ]);
  }

  return {
    ...rest,
    jwtSecret: secret ?? randomBytes(32).toString("base64url"),
    jwtSecretSource: secretSource ?? "generated",
    externalTokens,
  };
}
