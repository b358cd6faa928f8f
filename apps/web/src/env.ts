import { z } from "zod";

/**
 * The web app's configuration, validated once at start-up (scripts/web.ts and instrumentation.ts): the only
 * module that reads process.env. It never reads PORT, so the API (PORT) and the web app run side by side.
 */
const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** The API's origin as this server reaches it (server to server: the browser never calls the API). */
  TODO_API_URL: z
    .string()
    .default("http://127.0.0.1:3000")
    .pipe(z.string().url({ message: "must be a URL such as http://127.0.0.1:3000" }))
    .refine((v) => /^https?:\/\//i.test(v), { message: "must be an http:// or https:// URL" })
    .transform((v) => v.replace(/\/+$/, "")),
  WEB_PORT: z.coerce.number({ message: "must be a port number" }).int().min(0).max(65_535).default(3001),
  /**
   * Proxies of our own in front of this server, each appending to X-Forwarded-For: the client's address is that
   * many entries left of the TCP peer. 0: the TCP peer is the client. Never count a hop you do not run.
   */
  WEB_TRUST_PROXY_HOPS: z.coerce
    .number({ message: "must be a whole number of proxies (0 when browsers connect directly)" })
    .int({ message: "must be a whole number of proxies (0 when browsers connect directly)" })
    .min(0)
    .max(10)
    .default(0),
  /**
   * The API's own variable, read here too: how long the API still honours a retired refresh token. The web app
   * remembers a finished renewal no longer than this (see lib/renewal.ts); it must not exceed the API's value.
   */
  REFRESH_REUSE_GRACE_SECONDS: z.coerce
    .number({ message: "must be a whole number of seconds" })
    .int({ message: "must be a whole number of seconds" })
    .min(0)
    .max(300)
    .default(10),
  /** Interface to listen on; unset: Next.js's default (all interfaces). */
  WEB_HOST: z
    .string()
    .optional()
    .transform((v) => (v === "" ? undefined : v)),
});

export type WebEnv = z.infer<typeof EnvSchema>;

export class WebEnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment configuration of the web app:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "WebEnvError";
  }
}

export function loadWebEnv(source: Record<string, string | undefined> = process.env): WebEnv {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) throw new WebEnvError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  return parsed.data;
}

let cached: WebEnv | undefined;

/** The validated configuration of this process (parsed on first use; start-up already parsed it once). */
export function webEnv(): WebEnv {
  cached ??= loadWebEnv();
  return cached;
}
