import { randomUUID } from "node:crypto";
import {
  type ApiProcess,
  freshRequest,
  parseExposition,
  type Sample,
  sampleValue,
  scrape,
  signUpWithTask,
  spawnApi,
  TEST_JWT_SECRET,
} from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const onPostgres = inject("database") === "postgres";
const PASSWORD = "correct horse battery";
const DURATION = "http_request_duration_seconds_count";
const TASK_ROUTE = "/api/v1/:userId/tasks/:id";
// From source (tsx), with migrations on a fresh PGlite: over 30 s on a loaded 2-core machine.
const START_WITHIN_MS = 90_000;

const databaseEnv = (): Record<string, string> =>
  onPostgres ? { DATABASE_URL: inject("databaseUrl")!, MIGRATE_ON_START: "false" } : { PGLITE_DIR: "memory://" };

async function metricsUrlOf(api: ApiProcess): Promise<string> {
  return String((await api.waitForLog((l) => l.msg === "metrics listening")).url);
}

async function samples(url: string): Promise<Sample[]> {
  const res = await scrape(url);
  expect(res.status).toBe(200);
  expect(res.contentType).toContain("text/plain");
  return parseExposition(res.text);
}

describe("Prometheus metrics on METRICS_PORT (one process)", () => {
  let api: ApiProcess;
  let url: string;
  let metricsUrl: string;

  beforeAll(async () => {
    api = spawnApi({
      ...databaseEnv(),
      JWT_SECRET: TEST_JWT_SECRET,
      BCRYPT_COST: "4",
      METRICS_PORT: "0",
      RATE_LIMIT_LOGIN_PER_ACCOUNT: "2",
    });
    url = await api.waitUntilListening(1, START_WITHIN_MS);
    metricsUrl = await metricsUrlOf(api);
  }, START_WITHIN_MS + 10_000);
  afterAll(() => api?.kill());

  it("is served on loopback, on its own port, and not on the API's", async () => {
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(metricsUrl).port).not.toBe(new URL(url).port);
    expect((await freshRequest(url, "/metrics")).status).toBe(404);
    expect((await scrape(metricsUrl.replace("/metrics", "/other"))).status).toBe(404);
  });

  it("counts requests by route template and status, auth failures by reason and rate-limit rejections by limit", async () => {
    const before = await samples(metricsUrl);

    const { email, userId, token, taskId } = await signUpWithTask(url, "metrics", PASSWORD);
    for (let i = 0; i < 3; i++) {
      expect((await freshRequest(url, `/api/v1/${userId}/tasks/${taskId}`, { token })).status).toBe(200);
    }
    expect((await freshRequest(url, `/api/v1/${userId}/tasks/${randomUUID()}`, { token })).status).toBe(404);
    expect((await freshRequest(url, "/api/v1/auth/me")).status).toBe(401);
    expect((await freshRequest(url, "/api/v1/auth/me", { token: "not-a-jwt" })).status).toBe(401);
    expect((await freshRequest(url, "/api/v1/auth/me", { token: `${token}x` })).status).toBe(401);
    expect((await freshRequest(url, `/api/v1/no-such-route/${userId}`)).status).toBe(404);
    const login = () =>
      freshRequest(url, "/api/v1/auth/login", { method: "POST", body: { email, password: "wrong!!!!" } });
    expect((await login()).status).toBe(401);
    expect((await login()).status).toBe(401);
    expect((await login()).status).toBe(429);

    const after = await samples(metricsUrl);
    const delta = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);

    expect(delta(DURATION, { method: "GET", route: TASK_ROUTE, status: "200" })).toBe(3);
    expect(delta(DURATION, { method: "GET", route: TASK_ROUTE, status: "404" })).toBe(1);
    expect(delta(DURATION, { method: "POST", route: "/api/v1/:userId/tasks", status: "201" })).toBe(1);
    expect(delta(DURATION, { method: "POST", route: "/api/v1/auth/register", status: "201" })).toBe(1);
    expect(delta(DURATION, { method: "GET", route: "/api/v1/auth/me", status: "401" })).toBe(3);
    expect(delta(DURATION, { method: "POST", route: "/api/v1/auth/login", status: "401" })).toBe(2);
    expect(delta(DURATION, { method: "POST", route: "/api/v1/auth/login", status: "429" })).toBe(1);
    expect(delta(DURATION, { method: "GET", route: "unmatched", status: "404" })).toBe(1);
    // Every observation lands in the +Inf bucket, and the sum of durations moved.
    expect(
      sampleValue(after, "http_request_duration_seconds_bucket", {
        method: "GET",
        route: TASK_ROUTE,
        status: "200",
        le: "+Inf",
      }),
    ).toBe(sampleValue(after, DURATION, { method: "GET", route: TASK_ROUTE, status: "200" }));
    expect(
      delta("http_request_duration_seconds_sum", { method: "GET", route: TASK_ROUTE, status: "200" }),
    ).toBeGreaterThan(0);

    expect(delta("auth_failures_total", { reason: "missing_token" })).toBe(1);
    expect(delta("auth_failures_total", { reason: "malformed_token" })).toBe(1);
    expect(delta("auth_failures_total", { reason: "invalid_signature" })).toBe(1);
    expect(delta("rate_limit_rejections_total", { limit: "login-account" })).toBe(1);

    // Labels are templates: no user id, task id or raw path in any sample.
    const text = (await scrape(metricsUrl)).text;
    expect(text).not.toContain(userId);
    expect(text).not.toContain(taskId);
    expect(text).not.toContain("no-such-route");

    expect(sampleValue(after, "hash_queue_depth")).toBe(0);
    expect(after.some((s) => s.name === "hash_jobs_running")).toBe(true);
    expect(after.some((s) => s.name === "process_cpu_user_seconds_total")).toBe(true);
    if (onPostgres) {
      expect(sampleValue(after, "db_pool_max")).toBe(20);
      expect(sampleValue(after, "db_pool_connections", { state: "idle" })).toBeGreaterThan(0);
      expect(after.some((s) => s.name === "db_pool_connections" && s.labels.state === "in_use")).toBe(true);
      expect(sampleValue(after, "db_pool_waiting")).toBe(0);
    } else {
      expect(sampleValue(after, "db_pool_max")).toBe(1);
      expect(after.some((s) => s.name === "db_pool_connections")).toBe(false);
    }
  });
});

// Several processes on one database needs a server: PGlite belongs to one process.
describe.runIf(onPostgres)("Prometheus metrics under WEB_CONCURRENCY=2 (the primary aggregates its workers)", () => {
  let api: ApiProcess;
  let url: string;
  let metricsUrl: string;

  beforeAll(async () => {
    api = spawnApi({ ...databaseEnv(), JWT_SECRET: TEST_JWT_SECRET, WEB_CONCURRENCY: "2", METRICS_PORT: "0" });
    url = await api.waitUntilListening(2, START_WITHIN_MS);
    metricsUrl = await metricsUrlOf(api);
  }, START_WITHIN_MS + 10_000);
  // SIGTERM, not SIGKILL: the primary stops its workers; killed outright, it left them running (seen here).
  afterAll(async () => {
    if (!api) return;
    api.child.kill("SIGTERM");
    const timer = setTimeout(() => api.kill(), 20_000);
    await api.exited;
    clearTimeout(timer);
  }, 30_000);

  it("serves one endpoint from the primary whose counters sum every worker's", async () => {
    const primary = api.logs.find((l) => l.msg === "cluster started")!.pid;
    expect(api.logs.find((l) => l.msg === "metrics listening")!.pid).toBe(primary);
    expect(api.logs.filter((l) => l.msg === "metrics listening")).toHaveLength(1);

    const before = await samples(metricsUrl);
    // Each on a connection of its own, so node:cluster spreads them over both workers.
    const answered = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const requestId = randomUUID();
        const res = await freshRequest(url, i % 2 === 0 ? "/healthz" : "/api/v1/auth/me", { requestId });
        const line = await api.waitForLog((l) => l.reqId === requestId && l.msg === "request completed");
        return { status: res.status, pid: line.pid };
      }),
    );
    expect(new Set(answered.map((r) => r.pid)).size).toBe(2);

    const after = await samples(metricsUrl);
    const delta = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta(DURATION, { method: "GET", route: "/healthz", status: "200" })).toBe(8);
    expect(delta(DURATION, { method: "GET", route: "/api/v1/auth/me", status: "401" })).toBe(8);
    expect(delta("auth_failures_total", { reason: "missing_token" })).toBe(8);
    // Two workers' pools, summed.
    expect(sampleValue(after, "db_pool_max")).toBe(40);
  });
});
