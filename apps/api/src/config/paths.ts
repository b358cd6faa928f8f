import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The monorepo root: the nearest folder above this module holding pnpm-workspace.yaml. Found by walking
 * up rather than by a fixed "../../.." so it also holds once bundled into apps/api/dist.
 */
export const REPO_ROOT: string = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
export const MIGRATION_PATHS = {
  migrationsDir: join(REPO_ROOT, "prisma/migrations"),
  schemaPath: join(REPO_ROOT, "prisma/schema.prisma"),
} as const;

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}
