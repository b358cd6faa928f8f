#!/usr/bin/env node
// Run after `tsup` in a library (cwd = the package), as its `build` script does.
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dist = join(process.cwd(), "dist");

// 1. The `require` export condition's target and its types: an error that says what to do (see the files).
//    Copied here rather than by tsup, whose declaration step deletes declaration files it did not write.
const files = fileURLToPath(new URL("library-files/", import.meta.url));
for (const name of readdirSync(files)) copyFileSync(join(files, name), join(dist, name));

// 2. The libraries import zod only as `zod/v3`, but for inferred types the declaration emitter names zod 3.25's
//    types by the shorter `zod`; in an app on zod 4, `zod` means zod 4's types, which cannot describe these
//    schemas. Every zod type in these declarations is a zod/v3 type, so the specifier is put back.
for (const file of readdirSync(dist).filter((name) => name.endsWith(".d.ts"))) {
  const path = join(dist, file);
  const text = readFileSync(path, "utf8");
  const fixed = text.replace(/(from\s+|import\s*\(\s*)(["'])zod\2/g, "$1$2zod/v3$2");
  if (fixed !== text) writeFileSync(path, fixed);
}
