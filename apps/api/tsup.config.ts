import { cp, rm } from "node:fs/promises";
import { defineConfig } from "tsup";

// The production bundle: `node dist/main.js`. Workspace packages are inlined from their sources (their dist need not exist);
// everything from node_modules stays external and is resolved at run time, including the Prisma runtime and
// the schema engine's .wasm, which are read from their packages. The repository's prisma/ (the source of
// truth) is copied to dist/prisma, where the built code looks for it (src/config/paths.ts), so the built
// API, e.g. a `pnpm deploy` folder, carries its own migrations.
export default defineConfig({
  entry: {
    main: "src/main.ts",
    "migrate-cli": "src/db/migrate-cli.ts",
    "export-cli": "src/db/export-cli.ts",
    "import-cli": "src/db/import-cli.ts",
  },
  format: ["esm"],
  platform: "node",
  target: "node20",
  clean: true,
  sourcemap: true,
  splitting: true,
  // Inside the workspace the contract's exports point at its TypeScript sources: it is bundled from them.
  noExternal: [/^@todo\//],
  async onSuccess() {
    await rm("dist/prisma", { recursive: true, force: true });
    await cp("../../prisma/schema.prisma", "dist/prisma/schema.prisma");
    await cp("../../prisma/migrations", "dist/prisma/migrations", { recursive: true });
  },
});
