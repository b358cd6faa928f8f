import { randomInt, randomUUID } from "node:crypto";
import type { ApiFetcher } from "@ts-rest/core";
import { inject } from "vitest";
import { createLogger, loadEnv, type RunningServer, startServer } from "./api.js";
import { type ContractClient, contractClient, TEST_PASSWORD } from "./client.js";
import { assertConformsToContract } from "./contract-conformance.js";
import { TEST_JWT_SECRET } from "./process.js";
import "./provided-context.js";

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  /** The raw response text, for checks that the body leaks nothing. */
  text: string;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Sent as-is, not JSON-encoded. */
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface TestApp {
  url: string;
  database: "pglite" | "postgres";
  server: RunningServer;
  /** Every log line the app wrote, as JSON text. */
  logs: string[];
  request<T = any>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /**
   * The contract as a typed client of this app (`app.client(token).tasks.list({ params: { userId } })`): every
   * call goes through `request`, so it is checked against the contract and sent from the app's test address.
   */
  client(token?: string, headers?: Record<string, string>): ContractClient;
  /** Every log line the app wrote, parsed: assert on fields (`msg`, `reason`, `event`…) rather than wording. */
  logEntries(): LogEntry[];
  close(): Promise<void>;
}

/** One pino log line. */
export interface LogEntry {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A random client address, sent as X-Forwarded-For, so per-address limits of different tests never meet. */
export const randomIp = (): string => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/**
 * Starts the real server on an ephemeral port, on this project's database: a fresh in-memory PGlite,
 * or the PostgreSQL database the global setup created for the run.
 */
export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const database = inject("database");
  const databaseUrl = database === "postgres" ? inject("databaseUrl") : undefined;
  const env = loadEnv({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    JWT_SECRET: TEST_JWT_SECRET,
    BCRYPT_COST: "4",
    LOG_LEVEL: "info",
    TRUST_PROXY: "true",
    REVOCATION_SYNC_MS: "200",
    SHUTDOWN_GRACE_MS: "2000",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DB_POOL_MAX: "10" } : { PGLITE_DIR: "memory://" }),
    ...overrides,
  });
  const logs: string[] = [];
  const logger = createLogger(env.LOG_LEVEL, { write: (line: string) => void logs.push(line) });
  const server = await startServer(env, logger);
  const defaultIp = randomIp();

  const app: TestApp = {
    url: server.url,
    database,
    server,
    logs,
    async request(path, options = {}) {
      const method = options.method ?? "GET";
      const headers: Record<string, string> = { "x-forwarded-for": defaultIp, ...options.headers };
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers["content-type"] ??= "application/json";
      }
      const res = await fetch(`${server.url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      if (res.headers.get("content-type")?.includes("json") && text) parsed = JSON.parse(text);
      // Every test doubles as a contract test: a response the contract does not declare fails it.
      assertConformsToContract({
        method,
        path,
        status: res.status,
        contentType: res.headers.get("content-type"),
        text,
        body: parsed,
      });
      return { status: res.status, headers: res.headers, body: parsed as never, text };
    },
    client(token, headers) {
      const api: ApiFetcher = async (args) => {
        const url = new URL(args.path);
        const res = await app.request(`${url.pathname}${url.search}`, {
          method: args.method,
          headers: { ...args.headers, ...headers },
          ...(typeof args.body === "string" && { rawBody: args.body }),
        });
        return { status: res.status, body: res.body, headers: res.headers };
      };
      return contractClient(server.url, { ...(token !== undefined && { token }), api });
    },
    logEntries: () => logs.map((line) => JSON.parse(line) as LogEntry),
    close: () => server.close(),
  };
  return app;
}

export interface SignedUpUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** The app's contract client, signed in as this user. */
  client: ContractClient;
}

/** Registers a new user from an address of its own, so per-address limits of other tests are not touched. */
export async function signUp(app: TestApp, email = `user-${randomUUID()}@example.com`): Promise<SignedUpUser> {
  const password = TEST_PASSWORD;
  const res = await app
    .client(undefined, { "x-forwarded-for": randomIp() })
    .auth.register({ body: { email, password } });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.user.id,
    email,
    password,
    accessToken: res.body.accessToken,
    refreshToken: res.body.refreshToken,
    client: app.client(res.body.accessToken),
  };
}
