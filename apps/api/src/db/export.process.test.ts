import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  type ApiProcess,
  createPostgresDatabase,
  freshRequest,
  type PostgresDatabase,
  runApiCli,
  spawnApi,
  TEST_JWT_SECRET,
} from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

// Moving from the embedded database to a PostgreSQL server needs one: the postgres project has it.
const runs = inject("database") === "postgres";
const run = promisify(execFile);
const PASSWORD = "correct horse battery";
const TASKS = 60;
// Each start initialises or opens a database and checks migrations; far slower on a busy CI runner.
const START_MS = 120_000;

describe.runIf(runs)(
  "moving from the embedded database to PostgreSQL (pnpm db:export, psql) and back (pg_dump, pnpm db:import)",
  { timeout: 300_000 },
  () => {
    const databases: PostgresDatabase[] = [];
    /** A fresh, empty database on the run's server, dropped when the suite ends. */
    const createEmptyDatabase = async (): Promise<string> => {
      const database = await createPostgresDatabase("todo_export");
      databases.push(database);
      return database.url;
    };
    const processes: ApiProcess[] = [];
    let work: string;
    /** Carried from the move to PostgreSQL to the move back. */
    const moved = { targetUrl: "", email: "", userId: "", token: "", refreshToken: "", tasks: [] as unknown[] };
    const start = (env: Record<string, string>) => {
      const api = spawnApi({ JWT_SECRET: TEST_JWT_SECRET, BCRYPT_COST: "4", ...env });
      processes.push(api);
      return api;
    };

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), "todo-export-"));
    });
    afterAll(async () => {
      for (const api of processes) api.kill();
      await rm(work, { recursive: true, force: true });
      for (const database of databases) await database.drop();
    });

    it("psql loads the dump into an empty database, and the API there serves the same users, sign-ins and tasks", async () => {
      const dir = join(work, "pglite");
      const embedded = start({ PGLITE_DIR: dir });
      const url = await embedded.waitUntilListening(1, START_MS);

      const email = `Export-${randomBytes(3).toString("hex")}@Example.com`;
      const registered = await freshRequest(url, "/api/v1/auth/register", {
        method: "POST",
        body: { email, password: PASSWORD },
      });
      expect(registered.status).toBe(201);
      const userId: string = registered.body.user.id;
      const token: string = registered.body.accessToken;
      const titles = (i: number) => (i % 3 === 0 ? `it's "quoted" ü ${i}` : `task ${i}`);
      for (let i = 0; i < TASKS; i++) {
        const res = await freshRequest(url, `/api/v1/${userId}/tasks`, {
          method: "POST",
          token,
          body: { title: titles(i), ...(i % 2 === 0 && { description: `line one\nline two; \\ ${i}` }) },
        });
        expect(res.status).toBe(201);
        if (i % 4 === 0) {
          const done = await freshRequest(url, `/api/v1/${userId}/tasks/${res.body.id}/complete`, {
            method: "PATCH",
            token,
          });
          expect(done.status).toBe(200);
        }
      }
      // A sign-in ended before the move must stay ended after it.
      const other = await freshRequest(url, "/api/v1/auth/login", {
        method: "POST",
        body: { email, password: PASSWORD },
      });
      expect(other.status).toBe(200);
      expect(
        (
          await freshRequest(url, "/api/v1/auth/logout", {
            method: "POST",
            body: { refreshToken: other.body.refreshToken },
          })
        ).status,
      ).toBe(204);
      const before = await freshRequest(url, `/api/v1/${userId}/tasks?limit=100`, { token });
      expect(before.body.items).toHaveLength(TASKS);
      embedded.child.kill("SIGTERM");
      expect(await embedded.exited).toBe(0);

      const file = join(work, "dump.sql");
      const exported = await runApiCli("src/db/export-cli.ts", [file], { PGLITE_DIR: dir });
      expect(exported.stderr).toBe("");
      expect(exported.code).toBe(0);
      expect(exported.stdout).toContain(`(1 users, ${TASKS} tasks)`);
      expect((await stat(file)).size).toBeGreaterThan(0);
      const dump = await readFile(file, "utf8");
      expect(dump).not.toContain(PASSWORD);
      // A second export never overwrites the first.
      expect((await runApiCli("src/db/export-cli.ts", [file], { PGLITE_DIR: dir })).code).toBe(1);

      const targetUrl = await createEmptyDatabase();
      await run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", targetUrl, "-f", file]);

      const server = start({ DATABASE_URL: targetUrl });
      const serverUrl = await server.waitUntilListening(1, START_MS);
      // The migration history came along: nothing to apply.
      expect(server.logs.some((l) => l.msg === "migrations applied")).toBe(false);
      expect((await freshRequest(serverUrl, "/readyz")).body).toEqual({
        status: "ready",
        database: "up",
        engine: "postgres",
      });

      // The same tasks, field for field, in the same order.
      const after = await freshRequest(serverUrl, `/api/v1/${userId}/tasks?limit=100`, { token });
      expect(after.status).toBe(200);
      expect(after.body).toEqual(before.body);
      // The same password signs in (case-insensitive email included), and the old sign-in's refresh token works.
      const login = await freshRequest(serverUrl, "/api/v1/auth/login", {
        method: "POST",
        body: { email: email.toUpperCase(), password: PASSWORD },
      });
      expect(login.status).toBe(200);
      expect(login.body.user.id).toBe(userId);
      const refreshed = await freshRequest(serverUrl, "/api/v1/auth/refresh", {
        method: "POST",
        body: { refreshToken: registered.body.refreshToken },
      });
      expect(refreshed.status).toBe(200);
      expect((await freshRequest(serverUrl, "/api/v1/auth/me", { token: refreshed.body.accessToken })).status).toBe(
        200,
      );
      // The ended sign-in stays ended; the email stays taken.
      const ended = await freshRequest(serverUrl, "/api/v1/auth/refresh", {
        method: "POST",
        body: { refreshToken: other.body.refreshToken },
      });
      expect(ended.status).toBe(401);
      const again = await freshRequest(serverUrl, "/api/v1/auth/register", {
        method: "POST",
        body: { email, password: PASSWORD },
      });
      expect(again.status).toBe(409);
      // New writes work on the moved database.
      const created = await freshRequest(serverUrl, `/api/v1/${userId}/tasks`, {
        method: "POST",
        token,
        body: { title: "after the move" },
      });
      expect(created.status).toBe(201);
      Object.assign(moved, {
        targetUrl,
        email,
        userId,
        token,
        refreshToken: refreshed.body.refreshToken,
        tasks: (await freshRequest(serverUrl, `/api/v1/${userId}/tasks?limit=100`, { token })).body.items,
      });
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    });

    it("and back: pg_dump of that database, loaded by pnpm db:import into a new folder, serves the same", async () => {
      expect(moved.tasks).toHaveLength(TASKS + 1);
      const file = join(work, "from-postgres.sql");
      await run("pg_dump", ["--no-owner", "--no-privileges", "-f", file, moved.targetUrl]);
      const dir = join(work, "back");
      const imported = await runApiCli("src/db/import-cli.ts", [file], { PGLITE_DIR: dir });
      expect(imported.stderr).toBe("");
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain(`(1 users, ${TASKS + 1} tasks)`);
      // Never into a folder that already holds a database.
      const twice = await runApiCli("src/db/import-cli.ts", [file], { PGLITE_DIR: dir });
      expect(twice.code).toBe(1);
      expect(twice.stderr).toContain("already holds a database");

      const embedded = start({ PGLITE_DIR: dir });
      const url = await embedded.waitUntilListening(1, START_MS);
      expect(embedded.logs.some((l) => l.msg === "migrations applied")).toBe(false);
      const tasks = await freshRequest(url, `/api/v1/${moved.userId}/tasks?limit=100`, { token: moved.token });
      expect(tasks.body.items).toEqual(moved.tasks);
      const login = await freshRequest(url, "/api/v1/auth/login", {
        method: "POST",
        body: { email: moved.email, password: PASSWORD },
      });
      expect(login.status).toBe(200);
      const refreshed = await freshRequest(url, "/api/v1/auth/refresh", {
        method: "POST",
        body: { refreshToken: moved.refreshToken },
      });
      expect(refreshed.status).toBe(200);
    });
  },
);
