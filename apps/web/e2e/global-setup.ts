import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { API_DIR } from "@todo/test-kit/process";
import type { TestProject } from "vitest/node";

/**
 * The API needs its generated Prisma client (as `pnpm start` makes it); the browser tests need the web app's
 * production build.
 */
export default function setup(project: TestProject): void {
  const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
  if (project.name === "browser" && !existsSync(join(webDir, ".next/BUILD_ID"))) {
    throw new Error(
      "apps/web has no production build: run `pnpm --filter @todo/web test` or `test:browser` (they build first)",
    );
  }
  const generate = spawnSync("pnpm", ["run", "--silent", "db:generate"], { cwd: API_DIR, encoding: "utf8" });
  if (generate.status !== 0) throw new Error(`prisma generate failed: ${generate.error?.message ?? generate.stderr}`);
}
