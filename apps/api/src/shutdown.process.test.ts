import { type ApiProcess, freshRequest, holdLock, signUpWithTask, spawnApi, TEST_JWT_SECRET } from "@todo/test-kit";
import bcrypt from "bcrypt";
import pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";

// Holding requests in flight with a row lock needs a PostgreSQL server; the drain itself is engine-agnostic.
const runs = inject("database") === "postgres";
const PASSWORD = "correct horse battery";

describe.runIf(runs)("graceful shutdown of the real process (SIGTERM)", () => {
  const databaseUrl = inject("databaseUrl")!;
  let api: ApiProcess | undefined;
  afterEach(() => api?.kill());

  const start = (env: Record<string, string>) => {
    api = spawnApi({
      DATABASE_URL: databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      BCRYPT_COST: "4",
      MIGRATE_ON_START: "false",
      ...env,
    });
    return api;
  };

  /** A user with a task, whose password hash costs 2^12 rounds to check: a login that takes a while. */
  async function seed(url: string) {
    const signedUp = await signUpWithTask(url, "drain", PASSWORD);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query("UPDATE users SET password_hash = $1 WHERE id = $2", [
      await bcrypt.hash(PASSWORD, 12),
      signedUp.userId,
    ]);
    await db.end();
    return signedUp;
  }

  it("fails /readyz, finishes in-flight requests, refuses new connections, closes the pool and exits 0", async () => {
    const app = start({ SHUTDOWN_DELAY_MS: "400", SHUTDOWN_GRACE_MS: "10000" });
    const url = await app.waitUntilListening();
    const { email, userId, token, taskId } = await seed(url);

    const lock = await holdLock(databaseUrl, "SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", [taskId]);
    const toggle = freshRequest(url, `/api/v1/${userId}/tasks/${taskId}/complete`, { method: "PATCH", token });
    await lock.waitForBlocked(1);
    const login = freshRequest(url, "/api/v1/auth/login", { method: "POST", body: { email, password: PASSWORD } });
    await new Promise((r) => setTimeout(r, 50));

    app.child.kill("SIGTERM");
    await app.waitForLog((l) => l.msg.startsWith("shutting down"));
    // The pre-close delay: still accepting, but telling load balancers to go elsewhere.
    const readiness = await freshRequest(url, "/readyz");
    expect(readiness.status).toBe(503);
    expect(readiness.body.error.code).toBe("SERVICE_UNAVAILABLE");
    expect((await freshRequest(url, "/healthz")).status).toBe(200);

    // Then the listener closes while the two requests are still running.
    await expect(waitForRefusal(url)).resolves.toBe("ECONNREFUSED");
    expect(app.child.exitCode).toBeNull();

    const loggedIn = await login;
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.headers.connection).toBe("close");
    await lock.release();
    const toggled = await toggle;
    expect(toggled.status).toBe(200);
    expect(toggled.body.completed).toBe(true);

    expect(await app.exited).toBe(0);
    // Logged after the server closed and the database pool ended.
    expect(app.logs.some((l) => l.msg === "shutdown complete")).toBe(true);
  });

  it("cuts requests that outlast SHUTDOWN_GRACE_MS, and still exits 0 promptly", async () => {
    const app = start({ SHUTDOWN_GRACE_MS: "300" });
    const url = await app.waitUntilListening();
    const { userId, token, taskId } = await seed(url);
    const lock = await holdLock(databaseUrl, "SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", [taskId]);
    try {
      const toggle = freshRequest(url, `/api/v1/${userId}/tasks/${taskId}/complete`, { method: "PATCH", token }).then(
        (r) => r.status,
        (err: NodeJS.ErrnoException) => err.code,
      );
      await lock.waitForBlocked(1);
      const started = performance.now();
      app.child.kill("SIGTERM");
      expect(await toggle).toBe("ECONNRESET");
      expect(await app.exited).toBe(0);
      // Grace (0.3 s) plus at most 2 s for the pool; the held statement itself would never end.
      expect(performance.now() - started).toBeLessThan(8_000);
    } finally {
      await lock.release();
    }
  });
});

async function waitForRefusal(url: string, withinMs = 5_000): Promise<string> {
  const started = performance.now();
  for (;;) {
    const outcome = await freshRequest(url, "/healthz").then(
      () => "served",
      (err: NodeJS.ErrnoException) => err.code ?? "error",
    );
    if (outcome !== "served" || performance.now() - started > withinMs) return outcome;
    await new Promise((r) => setTimeout(r, 50));
  }
}
