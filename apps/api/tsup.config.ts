import { defineConfig } from "tsup";

// The production bundle: `node dist/main.js`. Workspace packages are inlined (their own dist need not exist);
// everything from node_modules stays external and is resolved at run time, including the Prisma runtime and
// the schema engine's .wasm, which are read from their packages.
export default defineConfig({
  entry: { main: "src/main.ts", "migrate-cli": "src/db/migrate-cli.ts" },
  format: ["esm"],
  platform: "node",
  target: "node20",
  clean: true,
  sourcemap: true,
  splitting: true,
  noExternal: [/^@todo\//],
  esbuildOptions(options) {
    // Bundle the contract from its TypeScript sources, as tests and tsx do.
    options.conditions = ["source", ...(options.conditions ?? [])];
  },
});
