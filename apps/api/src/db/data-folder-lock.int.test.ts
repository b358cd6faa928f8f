import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { type ApiProcess, freshRequest, runApiCli, spawnApi } from "../../test/api-process.js";
import { TEST_JWT_SECRET } from "../../test/harness.js";

// Real processes on a real PGlite folder: what the lock guards only exists on the embedded database.
const runs = inject("database") === "pglite";
const PASSWORD = "correct horse battery";
// Every start initialises or recovers a PGlite folder and checks its migrations in WebAssembly: seconds on
// an idle machine, far more on a busy CI runner. Generous limits: these tests are about outcomes, not speed.
const START_MS = 120_000;
const TEST_MS = 300_000;

const apiEnv = (dir: string): Record<string, string> => ({
  PGLITE_DIR: dir,
  JWT_SECRET: TEST_JWT_SECRET,
  BCRYPT_COST: "4",
});

interface Owner {
  userId: string;
  token: string;
}

async function register(url: string): Promise<Owner> {
  const res = await freshRequest(url, "/api/v1/auth/register", {
    method: "POST",
    body: { email: `lock-${process.pid}-${Date.now()}-${Math.random()}@example.com`, password: PASSWORD },
  });
  expect(res.status).toBe(201);
  return { userId: res.body.user.id, token: res.body.accessToken };
}

async function createTasks(url: string, owner: Owner, count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await freshRequest(url, `/api/v1/${owner.userId}/tasks`, {
      method: "POST",
      token: owner.token,
      body: { title: `${prefix} ${i}` },
    });
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  return ids;
}

async function allTaskIds(url: string, owner: Owner): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const res = await freshRequest(url, `/api/v1/${owner.userId}/tasks${query}`, { token: owner.token });
    expect(res.status).toBe(200);
    ids.push(...res.body.items.map((t: { id: string }) => t.id));
    cursor = res.body.nextCursor;
  } while (cursor);
  return ids;
}

async function stop(api: ApiProcess): Promise<void> {
  api.child.kill("SIGTERM");
  expect(await api.exited).toBe(0);
}

describe.runIf(runs)("one process per embedded database folder", { timeout: TEST_MS }, () => {
  const started: ApiProcess[] = [];
  const folders: string[] = [];
  const start = (dir: string) => {
    const api = spawnApi(apiEnv(dir));
    started.push(api);
    return api;
  };
  const newFolder = async () => {
    const dir = await mkdtemp(join(tmpdir(), "todo-lock-"));
    folders.push(dir);
    return realpath(dir);
  };
  afterEach(() => {
    for (const api of started.splice(0)) api.kill();
  });
  afterAll(async () => {
    for (const dir of folders) await rm(dir, { recursive: true, force: true });
  });

  describe("while an API holds the folder", () => {
    let dir: string;
    let first: ApiProcess;
    let url: string;
    let owner: Owner;
    let acknowledged: string[] = [];

    beforeAll(async () => {
      dir = await newFolder();
      first = spawnApi(apiEnv(dir));
      url = await first.waitUntilListening(1, START_MS);
      owner = await register(url);
      acknowledged = await createTasks(url, owner, 15, "before");
    }, TEST_MS);
    afterAll(() => first?.kill());

    it("a second API refuses to start, exits non-zero and names the folder and the owner's pid", async () => {
      const second = start(dir);
      const code = await second.exited;
      expect(code).not.toBe(0);
      const message = second.stderr.join("");
      expect(message).toContain(`The embedded database folder ${dir} is in use by process ${first.child.pid}`);
      expect(second.logs.some((l) => l.msg === "Todo API listening")).toBe(false);
      // The first never noticed.
      acknowledged.push(...(await createTasks(url, owner, 15, "after")));
    });

    it("`pnpm db:migrate` on the folder refuses too", async () => {
      const { code, stderr } = await runApiCli("src/db/migrate-cli.ts", [], { PGLITE_DIR: dir });
      expect(code).toBe(1);
      expect(stderr).toContain(`The embedded database folder ${dir} is in use by process ${first.child.pid}`);
    });

    it("the start-up log names the embedded database's folder; /readyz names the engine, never the folder", async () => {
      const ready = await freshRequest(url, "/readyz");
      expect(ready.body).toEqual({ status: "ready", database: "up", engine: "pglite" });
      expect(JSON.stringify(ready.body)).not.toContain(dir);
      const listening = first.logs.find((l) => l.msg === "Todo API listening")!;
      expect(listening).toMatchObject({ database: "pglite", dir });
    });

    it("after the first stops, the folder opens again with every acknowledged write", async () => {
      await stop(first);
      const again = start(dir);
      const againUrl = await again.waitUntilListening(1, START_MS);
      expect(await allTaskIds(againUrl, owner)).toEqual(acknowledged);
      expect(acknowledged).toHaveLength(30);
    });
  });

  it("SIGKILL in the middle of writes: the next start opens the folder and has every acknowledged task", async () => {
    const dir = await newFolder();
    const api = start(dir);
    const url = await api.waitUntilListening(1, START_MS);
    const owner = await register(url);
    const acknowledged: string[] = [];
    let attempted = 0;
    let killed = false;
    const writer = async () => {
      while (!killed) {
        attempted++;
        try {
          const res = await freshRequest(url, `/api/v1/${owner.userId}/tasks`, {
            method: "POST",
            token: owner.token,
            body: { title: `write ${attempted}` },
          });
          if (res.status === 201) acknowledged.push(res.body.id);
        } catch {
          // Cut by the kill: never acknowledged.
        }
      }
    };
    const writers = Array.from({ length: 6 }, writer);
    while (acknowledged.length < 120) await new Promise((r) => setTimeout(r, 10));
    api.child.kill("SIGKILL");
    killed = true;
    await Promise.all(writers);
    expect(await api.exited).toBe("SIGKILL");

    const restarted = start(dir);
    const restartedUrl = await restarted.waitUntilListening(1, START_MS);
    const stored = new Set(await allTaskIds(restartedUrl, owner));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    // At most the writes in flight at the kill were stored without an answer.
    expect(stored.size).toBeLessThanOrEqual(acknowledged.length + 6);
  });

  it("concurrent starts racing for one folder: exactly one wins, the others name it", async () => {
    const dir = await newFolder();
    const racers = Array.from({ length: 4 }, () => start(dir));
    const outcomes = await Promise.all(
      racers.map((api) =>
        api.waitUntilListening(1, START_MS).then(
          () => "listening" as const,
          () => api.exited.then((code) => ({ code })),
        ),
      ),
    );
    const winners = racers.filter((_, i) => outcomes[i] === "listening");
    expect(winners).toHaveLength(1);
    const winnerPid = winners[0]!.child.pid;
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome === "listening") continue;
      expect(outcome.code).not.toBe(0);
      expect(racers[i]!.stderr.join("")).toContain(`in use by process ${winnerPid}`);
    }
    // The winner serves normally.
    const url = await winners[0]!.waitUntilListening(1, START_MS);
    expect((await freshRequest(url, "/readyz")).status).toBe(200);
  });
});
