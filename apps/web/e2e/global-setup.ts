import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The API needs its generated Prisma client (as `pnpm start` makes it); the web app needs its production build. */
export default function setup(): void {
  const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
  if (!existsSync(join(webDir, ".next/BUILD_ID"))) {
    throw new Error("apps/web has no production build: run `pnpm --filter @todo/web test` (it builds first)");
  }
  const apiDir = dirname(createRequire(import.meta.url).resolve("@todo/api/package.json"));
  const generate = spawnSync("pnpm", ["run", "--silent", "db:generate"], { cwd: apiDir, encoding: "utf8" });
  if (generate.status !== 0) throw new Error(`prisma generate failed: ${generate.error?.message ?? generate.stderr}`);
}
