import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  type ApiProcess,
  createPostgresDatabase,
  freshRequest,
  type PostgresDatabase,
  registerUser,
  spawnApi,
} from "@todo/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT } from "./config/paths.js";

const run = promisify(execFile);
// Builds and deploys once, then runs on both engines: in the postgres project only (it needs the server anyway).
const runs = inject("database") === "postgres";
const ENV = { JWT_SECRET: "deploy-test-secret-of-at-least-32-bytes!", BCRYPT_COST: "4", LOG_LEVEL: "info" };

/** Every migration the repository has: a fresh database gets them all. */
async function migrationNames(): Promise<string[]> {
  const entries = await readdir(join(REPO_ROOT, "prisma/migrations"), { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Registers a user and creates a task over HTTP; returns the session. */
async function registerAndCreateTask(url: string, email: string) {
  const user = await registerUser(url, { email });
  const created = await user.client.tasks.create({ params: { userId: user.id }, body: { title: "shipped" } });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ title: "shipped", userId: user.id });
  return { user: { id: user.id }, accessToken: user.accessToken };
}

describe.runIf(runs)("the API deployed alone (pnpm --filter @todo/api deploy)", () => {
  let root: string;
  let deployed: string;
  let api: ApiProcess | undefined;
  const databases: PostgresDatabase[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "todo-deploy-"));
    deployed = join(root, "api");
    await run("pnpm", ["run", "build"], { cwd: join(REPO_ROOT, "apps/api") });
    await run("pnpm", ["--filter", "@todo/api", "deploy", "--prod", deployed], { cwd: REPO_ROOT });
  }, 600_000);
  afterEach(() => api?.kill());
  afterAll(async () => {
    for (const database of databases) await database.drop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const start = (cwd: string, env: Record<string, string>) => {
    api = spawnApi({ ...ENV, ...env }, { main: join(deployed, "dist/main.js"), cwd });
    return api.waitUntilListening(1, 180_000);
  };

  it("carries its migrations and no source", () => {
    expect(existsSync(join(deployed, "dist/prisma/migrations/migration_lock.toml"))).toBe(true);
    expect(existsSync(join(deployed, "dist/prisma/schema.prisma"))).toBe(true);
    expect(existsSync(join(deployed, "src"))).toBe(false);
  });

  it("serves on PGlite from a relative data folder, then from the same folder given absolutely", async () => {
    const work = join(root, "work");
    await mkdir(work);
    const url = await start(work, { PGLITE_DIR: "db" });
    expect(api?.logs.find((l) => l.msg === "migrations applied")?.applied).toEqual(await migrationNames());
    await registerAndCreateTask(url, "pglite@example.com");
    api?.kill();
    await api?.exited;
    // The relative folder was taken from the working directory.
    expect(existsSync(join(work, "db/PG_VERSION"))).toBe(true);

    const again = await start(root, { PGLITE_DIR: join(work, "db") });
    expect(api?.logs.some((l) => l.msg === "migrations applied")).toBe(false);
    const login = await freshRequest(again, "/api/v1/auth/login", {
      method: "POST",
      body: { email: "pglite@example.com", password: "correct horse battery" },
    });
    expect(login.status).toBe(200);
  }, 400_000);

  it("migrates a fresh PostgreSQL database with its own CLI and serves on it", async () => {
    const database = await createPostgresDatabase("todo_deploy");
    databases.push(database);
    const url = new URL(database.url);

    const migrated = await run(process.execPath, [join(deployed, "dist/migrate-cli.js")], {
      cwd: root,
      // Nothing inherited: the CLI sees only this database.
      env: { DATABASE_URL: url.toString() },
    });
    const names = await migrationNames();
    expect(migrated.stdout).toMatch(new RegExp(`Applied ${names.length} migration`));
    for (const migration of names) expect(migrated.stdout).toContain(migration);

    const served = await start(root, { DATABASE_URL: url.toString(), MIGRATE_ON_START: "false" });
    await registerAndCreateTask(served, "postgres@example.com");
  }, 400_000);
});
