import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ApiProcess,
  freshRequest,
  holdLock,
  isRunning,
  signUpWithTask,
  spawnApi,
  TEST_JWT_SECRET,
} from "@todo/test-kit";
import { afterAll, describe, expect, inject, it } from "vitest";

// Several processes on one database needs a server: PGlite belongs to one process.
const runs = inject("database") === "postgres";
const START_WITHIN_MS = 90_000;

/** Resolves once none of `pids` runs; fails after `withinMs`. */
async function gone(pids: number[], withinMs: number): Promise<void> {
  const started = performance.now();
  while (pids.some(isRunning)) {
    if (performance.now() - started > withinMs) {
      throw new Error(`still running after ${withinMs} ms: ${pids.filter(isRunning).join(", ")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.runIf(runs)("WEB_CONCURRENCY=2: a primary killed outright (SIGKILL) leaves no workers behind", () => {
  const databaseUrl = inject("databaseUrl")!;
  const started: ApiProcess[] = [];
  const strays: number[][] = [];
  // Whatever a failed assertion left running, workers included.
  afterAll(() => {
    for (const api of started) api.kill();
    for (const pid of strays.flat()) if (isRunning(pid)) process.kill(pid, "SIGKILL");
  });

  async function startCluster(env: Record<string, string> = {}) {
    const api = spawnApi({
      DATABASE_URL: databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      WEB_CONCURRENCY: "2",
      BCRYPT_COST: "4",
      MIGRATE_ON_START: "false",
      ...env,
    });
    started.push(api);
    const url = await api.waitUntilListening(2, START_WITHIN_MS);
    const workers = api.logs.filter((l) => l.msg === "Todo API listening").map((l) => l.pid);
    return { api, url, workers };
  }

  it(
    "each worker finishes its in-flight requests, then exits",
    async () => {
      const { api, url, workers } = await startCluster({ SHUTDOWN_GRACE_MS: "20000" });
      const { userId, token, taskId } = await signUpWithTask(url, "orphan", "correct horse battery");
      const lock = await holdLock(databaseUrl, "SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", [taskId]);
      try {
        const toggle = freshRequest(url, `/api/v1/${userId}/tasks/${taskId}/complete`, { method: "PATCH", token });
        await lock.waitForBlocked(1);

        api.child.kill("SIGKILL");
        for (const pid of workers) {
          await api.waitForLog(
            (l) => l.pid === pid && l.msg.startsWith("shutting down") && l.reason === "primary gone",
          );
        }
        // The held request is still being served: the drain waits for it.
        await lock.release();
        const res = await toggle;
        expect(res.status).toBe(200);
        expect(res.headers.connection).toBe("close");
      } finally {
        await lock.release().catch(() => undefined);
      }
      await gone(workers, 10_000);
      expect(api.logs.filter((l) => l.msg === "shutdown complete").map((l) => l.pid)).toEqual(
        expect.arrayContaining(workers),
      );
    },
    START_WITHIN_MS + 60_000,
  );

  it(
    "exits even when its stdout is a pipe nobody reads any more (the exit flush of the logs gives up)",
    async () => {
      // A FIFO we read until the cluster is up, then leave full: a log reader that hangs (or is stopped).
      const dir = mkdtempSync(join(tmpdir(), "cluster-orphans-"));
      const fifo = join(dir, "stdout");
      execFileSync("mkfifo", [fifo]);
      const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      const writer = openSync(fifo, constants.O_WRONLY);
      const api = spawnApi(
        { DATABASE_URL: databaseUrl, JWT_SECRET: TEST_JWT_SECRET, WEB_CONCURRENCY: "2", MIGRATE_ON_START: "false" },
        { stdout: writer },
      );
      const { child } = api;
      closeSync(writer);
      started.push(api);
      const pids: number[] = [];
      strays.push(pids);
      try {
        let printed = "";
        const chunk = Buffer.alloc(65_536);
        const listening = () => printed.split("\n").filter((l) => l.includes('"msg":"Todo API listening"'));
        const startedAt = performance.now();
        while (listening().length < 2) {
          expect(performance.now() - startedAt).toBeLessThan(START_WITHIN_MS);
          try {
            printed += chunk.toString("utf8", 0, readSync(reader, chunk));
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        const workers = listening().map((l) => (JSON.parse(l) as { pid: number }).pid);
        pids.push(...workers);
        const url = String((JSON.parse(listening()[0]!) as { url: string }).url);

        // ~500 request log lines of ~250 bytes: more than the FIFO's 64 KiB, nobody reading.
        for (let i = 0; i < 25; i++) {
          const batch = await Promise.all(Array.from({ length: 20 }, () => freshRequest(url, "/healthz")));
          expect(batch.every((r) => r.status === 200)).toBe(true);
        }
        child.kill("SIGKILL");
        // A drain with nothing in flight, then at most 2 s of waiting for the pipe.
        await gone(workers, 15_000);
      } finally {
        closeSync(reader);
        rmSync(dir, { recursive: true, force: true });
      }
    },
    START_WITHIN_MS + 60_000,
  );
});
