import { randomUUID } from "node:crypto";
import { type ApiProcess, freshRequest, spawnApi } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

// Several processes on one database needs a server: PGlite belongs to one process.
const runs = inject("database") === "postgres";
const PASSWORD = "correct horse battery";

describe.runIf(runs)("WEB_CONCURRENCY=2 (node:cluster)", () => {
  let api: ApiProcess;
  let url: string;

  beforeAll(async () => {
    api = spawnApi({
      DATABASE_URL: inject("databaseUrl")!,
      WEB_CONCURRENCY: "2",
      // No secret on purpose: outside production the primary makes one up, and every worker must share it.
      BCRYPT_COST: "4",
      REVOCATION_SYNC_MS: "200",
      RATE_LIMIT_LOGIN_PER_ACCOUNT: "3",
    });
    url = await api.waitUntilListening(2);
  });
  // kill() also SIGKILLs the workers that logged: a primary killed alone would leave them running.
  afterAll(() => api?.kill());

  /** Which worker answered each of `count` requests, each on a connection of its own. */
  async function spread(count: number, path: string, token?: string) {
    return Promise.all(
      Array.from({ length: count }, async () => {
        const requestId = randomUUID();
        const res = await freshRequest(url, path, { token, requestId });
        const line = await api.waitForLog((l) => l.reqId === requestId && l.msg === "request completed");
        return { status: res.status, pid: line.pid };
      }),
    );
  }

  it("runs two workers behind one port, sharing the secret, revocations and rate limits", async () => {
    const primary = api.logs.find((l) => l.msg === "cluster started")!.pid;
    const workers = new Set(api.logs.filter((l) => l.msg === "Todo API listening").map((l) => l.pid));
    expect(workers.size).toBe(2);
    expect(workers.has(primary)).toBe(false);
    expect(api.logs.filter((l) => l.msg.startsWith("No JWT_SECRET"))).toHaveLength(1);

    const email = `cluster-${randomUUID()}@example.com`;
    const session = await freshRequest(url, "/api/v1/auth/register", {
      method: "POST",
      body: { email, password: PASSWORD },
    });
    expect(session.status).toBe(201);
    const { accessToken, refreshToken } = session.body;

    // A token minted by one worker is good on both.
    const before = await spread(12, "/api/v1/auth/me", accessToken);
    expect(new Set(before.map((r) => r.pid))).toEqual(workers);
    expect(before.every((r) => r.status === 200)).toBe(true);

    // A sign-out handled by one worker is honoured by the other within seconds.
    const loggedOut = performance.now();
    expect((await freshRequest(url, "/api/v1/auth/logout", { method: "POST", body: { refreshToken } })).status).toBe(
      204,
    );
    for (;;) {
      const after = await spread(8, "/api/v1/auth/me", accessToken);
      if (after.every((r) => r.status === 401)) {
        expect(new Set(after.map((r) => r.pid))).toEqual(workers);
        break;
      }
      expect(performance.now() - loggedOut).toBeLessThan(3_000);
      await new Promise((r) => setTimeout(r, 100));
    }

    // Failed logins counted by either worker add up to one limit.
    const wrong = Array.from({ length: 3 }, () =>
      freshRequest(url, "/api/v1/auth/login", { method: "POST", body: { email, password: "wrong password!" } }),
    );
    expect((await Promise.all(wrong)).map((r) => r.status)).toEqual([401, 401, 401]);
    const blocked = await Promise.all(
      Array.from({ length: 4 }, () =>
        freshRequest(url, "/api/v1/auth/login", { method: "POST", body: { email, password: PASSWORD } }),
      ),
    );
    expect(blocked.map((r) => r.status)).toEqual([429, 429, 429, 429]);
  });

  it("replaces a worker that dies, and drains both on SIGTERM (exit 0)", async () => {
    const listening = () => api.logs.filter((l) => l.msg === "Todo API listening");
    const victim = listening()[0]!.pid;
    process.kill(victim, "SIGKILL");
    await api.waitForLog((l) => l.msg === "worker died; restarting" && l.worker === victim);
    await api.waitForLog(
      (l) =>
        l.msg === "Todo API listening" &&
        !listening()
          .slice(0, 2)
          .some((x) => x.pid === l.pid),
    );
    const served = await spread(6, "/healthz");
    expect(served.every((r) => r.status === 200)).toBe(true);

    api.child.kill("SIGTERM");
    expect(await api.exited).toBe(0);
    expect(api.logs.filter((l) => l.msg === "shutdown complete")).toHaveLength(2);
  });
});
