#!/usr/bin/env node
// Run after `tsup` in a library (cwd = the package). The libraries import zod only as `zod/v3`, but for inferred
// types the declaration emitter names zod 3.25's types by the shorter `zod`, and in an app on zod 4, `zod` means
// zod 4's types, which cannot describe these schemas. Every zod type in these declarations is a zod/v3 type, so
// the specifier is put back; zod 3.25+ and 4.x both ship `zod/v3`.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dist = join(process.cwd(), "dist");
for (const file of readdirSync(dist).filter((name) => name.endsWith(".d.ts"))) {
  const path = join(dist, file);
  const text = readFileSync(path, "utf8");
  const fixed = text.replace(/(from\s+|import\s*\(\s*)(["'])zod\2/g, "$1$2zod/v3$2");
  if (fixed !== text) writeFileSync(path, fixed);
}
