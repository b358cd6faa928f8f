// The processes under test, started with the test suite's own helper (test/api-process.ts): the built API as
// production runs it, and the floor (floor.ts).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { type ApiProcess, spawnApi } from "@todo/test-kit";
import { API_DIR, options } from "./options.js";

export interface Started {
  process: ApiProcess;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function started(process: ApiProcess, url: string): Started {
  return {
    process,
    url,
    pid: process.child.pid!,
    async stop() {
      if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill("SIGTERM");
      await process.exited;
    },
  };
}

/** Drops the one-line-per-request log from memory (it still reaches the log file). */
const keepStartupLines = (line: { msg: string }) => line.msg !== "request completed";

function apiEnv(databaseUrl: string, workers: number): Record<string, string> {
  return {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    JWT_SECRET: options.jwtSecret,
    WEB_CONCURRENCY: String(workers),
    // As in production: one line per request.
    LOG_LEVEL: "info",
    // The limits guard against guessing; here every login is right, and from one address, so they would only
    // turn the run into 429s. BCRYPT_COST stays at its default (12).
    RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS: "1000000",
    RATE_LIMIT_LOGIN_PER_ACCOUNT: "1000000",
    RATE_LIMIT_LOGIN_PER_ADDRESS: "1000000",
    // Likewise the hash queue's share per client address: this run measures throughput, not a flood
    // (bench/login-flood.ts does).
    HASH_QUEUE_MAX: "100000",
    HASH_QUEUE_MAX_PER_CLIENT: "100000",
    RATE_LIMIT_REGISTER_PER_ADDRESS: "1000000",
    RATE_LIMIT_REFRESH_PER_ADDRESS: "1000000",
  };
}

/** `node dist/main.js` with `workers` processes; resolves once every worker listens. */
export async function startApi(
  databaseUrl: string,
  workers: number,
  profile: boolean,
  extraEnv: Record<string, string> = {},
): Promise<Started> {
  const api = spawnApi(
    { ...apiEnv(databaseUrl, workers), ...options.apiEnv, ...extraEnv },
    {
      main: "dist/main.js",
      nodeArgs: [
        ...options.apiNodeArgs,
        ...(profile && options.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}`] : []),
      ],
      keep: keepStartupLines,
      logFile: join(options.workDir, `api-${workers}.log`),
    },
  );
  try {
    return started(api, await api.waitUntilListening(workers, 60_000));
  } catch (err) {
    api.kill();
    throw err;
  }
}

/** bench/floor.ts: the same routes on node:http + pg + jsonwebtoken alone. */
export async function startFloor(databaseUrl: string): Promise<Started> {
  const floor = spawnApi(
    { DATABASE_URL: databaseUrl, JWT_SECRET: options.jwtSecret, NODE_ENV: "production" },
    {
      main: "bench/floor.ts",
      nodeArgs: [
        ...(options.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}/floor`] : []),
        "--import",
        "tsx",
      ],
      logFile: join(options.workDir, "floor.log"),
    },
  );
  try {
    const line = await floor.waitForLog((l) => l.msg === "floor listening", 60_000);
    return started(floor, `http://127.0.0.1:${line.port}`);
  } catch (err) {
    floor.kill();
    throw err;
  }
}

/**
 * What bcrypt alone allows: comparisons per second at the API's default cost through the API's own hash pool
 * (bcrypt-rate.ts), in a process of its own so its threads do not share this one with the load generator.
 */
export function measureBcrypt(seconds: number): { perSecond: number; threads: number } {
  const out = execFileSync(process.execPath, ["--import", "tsx", "bench/bcrypt-rate.ts"], {
    cwd: API_DIR,
    env: { PATH: process.env.PATH ?? "", BENCH_SECONDS: String(seconds) },
    encoding: "utf8",
  });
  const result = JSON.parse(out.trim().split("\n").pop()!) as { comparisonsPerSecond: number; threads: number };
  return { perSecond: result.comparisonsPerSecond, threads: result.threads };
}
