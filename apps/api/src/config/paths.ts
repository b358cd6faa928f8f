import { fileURLToPath } from "node:url";

/**
 * Where the API finds what it ships, by one rule, relative to this module and never by searching:
 * - built (`dist/*.js`, also in a `pnpm deploy` folder): `dist/prisma/`, copied there by the build
 *   (the `onSuccess` step of apps/api/tsup.config.ts) from the repository's top-level `prisma/`, the source of truth;
 * - from source (`src/config/paths.ts` under tsx or Vitest): the repository's `prisma/` itself.
 */
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const PRISMA_DIR = fileURLToPath(new URL(FROM_SOURCE ? "../../../../prisma/" : "./prisma/", import.meta.url));

export const MIGRATION_PATHS = {
  migrationsDir: `${PRISMA_DIR}migrations`,
  schemaPath: `${PRISMA_DIR}schema.prisma`,
} as const;

/** The monorepo root, for development tools that run from source (OpenAPI and migration CLIs, tests). */
export const REPO_ROOT: string = fileURLToPath(new URL("../../../../", import.meta.url));
