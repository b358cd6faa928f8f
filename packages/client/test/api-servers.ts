import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startApiProcess } from "@todo/test-kit/process";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** A real API with the usual 24 h access tokens. */
    apiUrl: string;
    /** A real API whose access tokens expire after `shortLivedTokenSeconds`, for the refresh path. */
    shortLivedApiUrl: string;
    /**
     * The short-lived API's access token lifetime. Three seconds, not one: `exp` has one-second resolution, so a
     * token renewed late in a second of a one-second lifetime could expire before the calls it was renewed for
     * reached the server on a loaded machine (a second, spurious renewal).
     */
    shortLivedTokenSeconds: number;
    /** Where `apiUrl`'s API writes its mails (the development outbox: one .eml file per mail). */
    mailOutboxDir: string;
  }
}

/**
 * Vitest global set-up of the process tests: two real API processes (main.ts, as `pnpm start` runs it) on fresh
 * in-memory PGlite databases and ephemeral ports, one with normal tokens, one whose access tokens expire after a
 * few seconds. The client has no package edge to @todo/api: the test kit runs the API from this repository by path.
 * (The API's Prisma client is generated first: turbo.json makes the client's test tasks depend on it.)
 */
const SHORT_LIVED_TOKEN_SECONDS = 3;

export default async function setup(project: TestProject) {
  const outbox = mkdtempSync(join(tmpdir(), "todo-client-outbox-"));
  const started = await Promise.allSettled([
    startApiProcess({ MAIL_OUTBOX_DIR: outbox }),
    startApiProcess({ ACCESS_TOKEN_TTL: `${SHORT_LIVED_TOKEN_SECONDS}s` }),
  ]);
  const apis = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const stopAll = async () => {
    await Promise.all(apis.map((api) => api.stop()));
    rmSync(outbox, { recursive: true, force: true });
  };
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  project.provide("apiUrl", apis[0]!.url);
  project.provide("shortLivedApiUrl", apis[1]!.url);
  project.provide("shortLivedTokenSeconds", SHORT_LIVED_TOKEN_SECONDS);
  project.provide("mailOutboxDir", outbox);
  return stopAll;
}
