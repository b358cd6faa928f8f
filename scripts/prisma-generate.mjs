#!/usr/bin/env node
// Runs `prisma generate` for prisma/schema.prisma.
// The Prisma CLI insists on finding its native schema-engine binary before any command, and downloads it
// when it is missing. `generate` never runs that binary, so where it is absent (no internet, or install
// scripts disabled) we point PRISMA_SCHEMA_ENGINE_BINARY at an existing file instead of failing.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const apiRequire = createRequire(join(root, "apps/api/package.json"));
const prismaPkg = apiRequire.resolve("prisma/package.json");
const prismaBin = join(dirname(prismaPkg), "build/index.js");

function nativeEngineAvailable() {
  if (process.env.PRISMA_SCHEMA_ENGINE_BINARY) return true;
  try {
    const enginesDir = dirname(createRequire(prismaPkg).resolve("@prisma/engines/package.json"));
    return readdirSync(enginesDir).some((f) => f.startsWith("schema-engine-"));
  } catch {
    return false;
  }
}

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
if (!nativeEngineAvailable()) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;

const schema = join(root, "prisma/schema.prisma");
if (!existsSync(schema)) throw new Error(`missing ${schema}`);
const result = spawnSync(process.execPath, [prismaBin, "generate", `--schema=${schema}`, "--no-hints"], {
  cwd: root,
  env,
  stdio: ["ignore", "inherit", "inherit"],
});
process.exit(result.status ?? 1);
