import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type ApiResponse, signUp, startTestApp, type TestApp } from "../../test/harness.js";
import { holdLock } from "../../test/locks.js";
import {
  createThrowawayPostgres,
  findPostgresBinaries,
  type ThrowawayPostgres,
} from "../../test/throwaway-postgres.js";

const binaries = findPostgresBinaries();
// Needs a PostgreSQL server it may stop: meaningless on PGlite, and impossible without the server binaries.
const runs = inject("database") === "postgres" && binaries !== undefined;
if (inject("database") === "postgres" && !binaries) console.warn("outage tests skipped: no initdb found (PG_BIN_DIR)");

const PASSWORD = "correct horse battery";

/** A request that must come back (with anything) well within the bound the API promises in an outage. */
async function timed(app: TestApp, path: string, options: Parameters<TestApp["request"]>[1] = {}) {
  const started = performance.now();
  const res = await app.request(path, options);
  return { ...res, ms: performance.now() - started };
}

function expectUnavailable(res: ApiResponse<any> & { ms: number }, label: string) {
  expect({ label, status: res.status }).toEqual({ label, status: 503 });
  expect(res.body.error.code).toBe("SERVICE_UNAVAILABLE");
  expect(res.ms).toBeLessThan(3_000);
}

async function waitUntilReady(app: TestApp, withinMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const res = await app.request("/readyz");
    if (res.status === 200) return performance.now() - started;
    if (performance.now() - started > withinMs) throw new Error(`not ready after ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.runIf(runs)("database outage (a PostgreSQL server of its own, stopped and restarted)", () => {
  let server: ThrowawayPostgres;
  let app: TestApp;

  beforeAll(async () => {
    server = await createThrowawayPostgres(binaries!);
    app = await startTestApp({ DATABASE_URL: server.url, DB_CONNECTION_TIMEOUT_MS: "1000", DB_POOL_MAX: "5" });
  });
  afterAll(async () => {
    await app?.close();
    await server?.destroy();
  });

  it("answers 503 on every route that needs the database, keeps /healthz, and recovers by itself", async () => {
    const user = await signUp(app);
    const auth = { token: user.accessToken };
    const task = (await app.request(`/api/v1/${user.id}/tasks`, { ...auth, method: "POST", body: { title: "kept" } }))
      .body;
    const tasks = `/api/v1/${user.id}/tasks`;

    await server.stop("fast");

    const results = await Promise.all([
      timed(app, tasks, auth).then((r) => ["list", r] as const),
      timed(app, `${tasks}/${task.id}`, auth).then((r) => ["get", r] as const),
      timed(app, tasks, { ...auth, method: "POST", body: { title: "lost" } }).then((r) => ["create", r] as const),
      timed(app, `${tasks}/${task.id}`, { ...auth, method: "PUT", body: { title: "lost" } }).then(
        (r) => ["update", r] as const,
      ),
      timed(app, `${tasks}/${task.id}/complete`, { ...auth, method: "PATCH" }).then((r) => ["toggle", r] as const),
      timed(app, `${tasks}/${task.id}`, { ...auth, method: "DELETE" }).then((r) => ["delete", r] as const),
      timed(app, "/api/v1/auth/me", auth).then((r) => ["me", r] as const),
      timed(app, "/api/v1/auth/register", {
        method: "POST",
        body: { email: `outage-${randomUUID()}@example.com`, password: PASSWORD },
      }).then((r) => ["register", r] as const),
      timed(app, "/api/v1/auth/login", { method: "POST", body: { email: user.email, password: PASSWORD } }).then(
        (r) => ["login", r] as const,
      ),
      timed(app, "/api/v1/auth/refresh", { method: "POST", body: { refreshToken: user.refreshToken } }).then(
        (r) => ["refresh", r] as const,
      ),
      timed(app, "/api/v1/auth/logout", { method: "POST", body: { refreshToken: user.refreshToken } }).then(
        (r) => ["logout", r] as const,
      ),
      timed(app, "/readyz").then((r) => ["readyz", r] as const),
    ]);
    for (const [label, res] of results) expectUnavailable(res, label);
    expect((await app.request("/healthz")).status).toBe(200);
    // The background revocation poll fails too, and only logs.
    await new Promise((r) => setTimeout(r, 500));
    expect((await app.request("/healthz")).status).toBe(200);

    await server.start();
    expect(await waitUntilReady(app, 10_000)).toBeLessThan(10_000);
    const list = await app.request(tasks, auth);
    expect(list.status).toBe(200);
    // Nothing that was answered 503 happened: the task is unchanged and alone.
    expect(list.body.items).toEqual([task]);
    // The refresh token was neither rotated nor revoked while the database was away.
    expect(
      (await app.request("/api/v1/auth/refresh", { method: "POST", body: { refreshToken: user.refreshToken } })).status,
    ).toBe(200);
    expect(app.logs.some((line) => line.includes("database unavailable"))).toBe(true);
  });

  it("a registration cut off mid-transaction leaves no half-written account", async () => {
    const email = `cut-${randomUUID()}@example.com`;
    // Hold the sign_ins table so the registration stops after inserting the user, inside its transaction.
    const lock = await holdLock(server.url, "LOCK TABLE sign_ins IN SHARE ROW EXCLUSIVE MODE");
    const pending = timed(app, "/api/v1/auth/register", { method: "POST", body: { email, password: PASSWORD } });
    await lock.waitForBlocked(1);

    await server.stop("fast");
    const res = await pending;
    expectUnavailable(res, "register cut off");
    await lock.release();

    await server.start();
    await waitUntilReady(app, 10_000);
    // A user row left behind would make this a 409.
    const again = await app.request("/api/v1/auth/register", { method: "POST", body: { email, password: PASSWORD } });
    expect(again.status).toBe(201);
  });
});
