import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { z } from "zod";
import { parseDurationSeconds } from "../lib/duration.js";

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

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  PORT: int(3000, 0, 65_535),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  // Relative paths are taken from the working directory (the package scripts pass the repository's .data/pglite).
  PGLITE_DIR: z
    .string()
    .default(".data/pglite")
    .transform((dir) => (dir === "memory://" ? dir : resolve(dir))),
  JWT_SECRET: optionalString,
  BETTER_AUTH_SECRET: optionalString,
  ACCESS_TOKEN_TTL: duration("24h"),
  REFRESH_TOKEN_TTL: duration("30d"),
  BCRYPT_COST: int(12, 4, 15),
  DB_POOL_MAX: int(20, 1, 500),
  DB_CONNECTION_TIMEOUT_MS: int(5_000, 100, 120_000),
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
  RATE_LIMIT_LOGIN_PER_ACCOUNT: int(10, 1, 1_000_000),
  RATE_LIMIT_LOGIN_PER_ADDRESS: int(100, 1, 1_000_000),
  RATE_LIMIT_LOGIN_WINDOW: duration("15m"),
  RATE_LIMIT_REGISTER_PER_ADDRESS: int(100, 1, 1_000_000),
  RATE_LIMIT_REGISTER_WINDOW: duration("1h"),
  RATE_LIMIT_REFRESH_PER_ADDRESS: int(300, 1, 1_000_000),
  RATE_LIMIT_REFRESH_WINDOW: duration("15m"),
  WEB_CONCURRENCY: int(1, 1, 64),
});

type ParsedEnv = z.infer<typeof EnvSchema>;

export type Env = Omit<ParsedEnv, "JWT_SECRET" | "BETTER_AUTH_SECRET"> & {
  /** HS256 key: JWT_SECRET, else BETTER_AUTH_SECRET, else (outside production) a random per-start key. */
  jwtSecret: string;
  /** Which variable the secret came from, for the start-up log. */
  jwtSecretSource: "JWT_SECRET" | "BETTER_AUTH_SECRET" | "generated";
};

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
  const { JWT_SECRET, BETTER_AUTH_SECRET, ...rest } = parsed.data;
  const secretSource = JWT_SECRET ? "JWT_SECRET" : BETTER_AUTH_SECRET ? "BETTER_AUTH_SECRET" : undefined;
  const secret = JWT_SECRET ?? BETTER_AUTH_SECRET;

  if (rest.NODE_ENV === "production") {
    if (!secret) {
      throw new EnvError(["JWT_SECRET: required in production (or set BETTER_AUTH_SECRET)"]);
    }
    if (Buffer.byteLength(secret, "utf8") < MIN_PRODUCTION_SECRET_BYTES) {
      throw new EnvError([`${secretSource}: must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes in production`]);
    }
  }

  return {
    ...rest,
    jwtSecret: secret ?? randomBytes(32).toString("base64url"),
    jwtSecretSource: secretSource ?? "generated",
  };
}
