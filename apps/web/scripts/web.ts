// Launcher of the web app: validates the configuration, builds when the sources are newer than the last build,
// and runs the production server (scripts/server.ts: Next.js in this process) or `next dev` on WEB_PORT. `next`
// itself would read PORT, the API's port.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadWebEnv, type WebEnv, WebEnvError } from "../src/env";
import { serveProduction } from "./server";

const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO_ROOT = resolve(WEB_DIR, "../..");
const WORKSPACE_DEPS = ["@todo/contract", "@todo/client"];
const BUILD_ID = join(WEB_DIR, ".next/BUILD_ID");
const INPUTS = [
  "apps/web/src",
  "apps/web/public",
  "apps/web/next.config.ts",
  "apps/web/package.json",
  "apps/web/tsconfig.json",
  "packages/contract/src",
  "packages/contract/package.json",
  "packages/client/src",
  "packages/client/package.json",
  "pnpm-lock.yaml",
].map((p) => join(REPO_ROOT, p));

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

// No usage reports leave the machine.
process.env.NEXT_TELEMETRY_DISABLED = "1";

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`${command} ${args.join(" ")} failed`);
    process.exit(result.status ?? 1);
  }
}

function buildWorkspaceDeps(): void {
  run("pnpm", [...WORKSPACE_DEPS.flatMap((name) => ["--filter", name]), "--silent", "run", "build"], REPO_ROOT);
}

function buildIfNeeded(): void {
  const builtAt = existsSync(BUILD_ID) ? statSync(BUILD_ID).mtimeMs : 0;
  const changedAt = Math.max(...INPUTS.map(newestMtime));
  if (builtAt > changedAt) {
    console.log("web app: the production build is up to date");
    return;
  }
  buildWorkspaceDeps();
  run("next", ["build"], WEB_DIR);
}

function serveDev(env: WebEnv): void {
  const args = ["dev", "--port", String(env.WEB_PORT), ...(env.WEB_HOST ? ["--hostname", env.WEB_HOST] : [])];
  const { PORT: _ignored, ...childEnv } = process.env;
  const child = spawn("next", args, { cwd: WEB_DIR, stdio: "inherit", env: childEnv });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const mode = process.argv[2];
let env: WebEnv;
try {
  env = loadWebEnv();
} catch (err) {
  if (!(err instanceof WebEnvError)) throw err;
  console.error(err.message);
  process.exit(1);
}

switch (mode) {
  case "build":
    buildIfNeeded();
    break;
  case "deps":
    buildWorkspaceDeps();
    break;
  case "start":
    buildIfNeeded();
    delete process.env.PORT;
    // Next.js reads NODE_ENV at load: a production server with another value would warn and misbehave.
    Object.assign(process.env, { NODE_ENV: "production" });
    await serveProduction(WEB_DIR, env);
    break;
  case "dev":
    buildWorkspaceDeps();
    serveDev(env);
    break;
  default:
    console.error("usage: tsx scripts/web.ts build|start|dev|deps");
    process.exit(2);
}
