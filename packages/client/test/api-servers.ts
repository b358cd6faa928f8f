import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { type ApiProcess, spawnApi } from "./api-process.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A real API with the usual 24 h access tokens. */
    apiUrl: string;
    /** A real API whose access tokens expire after one second, for the refresh path. */
    shortLivedApiUrl: string;
    /** Where `apiUrl`'s API writes its mails (the development outbox: one .eml file per mail). */
    mailOutboxDir: string;
  }
}

const TEST_ENV = {
  DATABASE_URL: "",
  PGLITE_DIR: "memory://",
  JWT_SECRET: "client-test-secret-that-is-at-least-32-bytes",
  BCRYPT_COST: "4",
  LOG_LEVEL: "info",
  WEB_CONCURRENCY: "1",
  REVOCATION_SYNC_MS: "200",
};

async function stop(api: ApiProcess): Promise<void> {
  // In-memory databases: nothing to drain or flush.
  api.kill();
  await api.exited;
}

/**
 * Starts two real API processes (main.ts, as `pnpm start` runs it) on fresh in-memory PGlite databases and
 * ephemeral ports: one with normal tokens, one whose access tokens expire after a second.
 */
export default async function setup(project: TestProject) {
  // The API's Prisma client is generated beforehand by Turborepo (`@todo/client#test` depends on
  // `@todo/api#db:generate` in turbo.json), as for every task that needs it.
  const outbox = mkdtempSync(join(tmpdir(), "todo-client-outbox-"));
  const apis = [spawnApi({ ...TEST_ENV, MAIL_OUTBOX_DIR: outbox }), spawnApi({ ...TEST_ENV, ACCESS_TOKEN_TTL: "1s" })];
  const stopAll = async () => {
    await Promise.all(apis.map(stop));
    rmSync(outbox, { recursive: true, force: true });
  };
  try {
    const [url, shortLivedUrl] = await Promise.all(apis.map((api) => api.waitUntilListening(1, 60_000)));
    project.provide("apiUrl", url!);
    project.provide("shortLivedApiUrl", shortLivedUrl!);
    project.provide("mailOutboxDir", outbox);
  } catch (err) {
    await stopAll();
    throw err;
  }
  return stopAll;
}
