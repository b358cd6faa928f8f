import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { Readable } from "node:stream";
import { contract } from "@todo/contract";
import { API_DIR } from "./paths.js";

export { API_DIR, REPO_ROOT } from "./paths.js";

export interface LogLine {
  level: string;
  msg: string;
  pid: number;
  [key: string]: unknown;
}

/** The API as production runs it: a process of its own (main.ts), so signals, exit codes and workers are real. */
export interface ApiProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  /** Whatever was written that is not a JSON log line (start-up failures). */
  readonly stderr: string[];
  /** Resolves with the exit code (or the signal that ended it). */
  readonly exited: Promise<number | NodeJS.Signals>;
  waitForLog(predicate: (line: LogLine) => boolean, withinMs?: number): Promise<LogLine>;
  /** Resolves once `count` processes logged "Todo API listening"; returns the URL they serve. */
  waitUntilListening(count?: number, withinMs?: number): Promise<string>;
  /**
   * SIGKILLs the process and every process of it that logged (a cluster's workers), so that a test that
   * fails before its own clean stop leaves no orphans behind.
   */
  kill(): void;
}

export interface SpawnOptions {
  /** A script to run instead of the API from source: e.g. a built `dist/main.js` (of a deployed folder). */
  main?: string;
  /** Where to run it (default: apps/api). */
  cwd?: string;
  /** Node flags before the script (e.g. `--cpu-prof`, `--import tsx` for a TypeScript script). */
  nodeArgs?: string[];
  /** Which log lines to keep in `logs` (default: all); a benchmark drops the per-request lines. */
  keep?: (line: LogLine) => boolean;
  /** Also writes everything the process prints to this file. */
  logFile?: string;
  /**
   * A file descriptor the process prints to directly (e.g. a FIFO the test reads itself), instead of a pipe
   * read here: `logs` then stays empty and the waits that read it cannot be used.
   */
  stdout?: number;
}

/** The JWT secret of every API a test starts (in-process or as a process), so a test can mint its own tokens. */
export const TEST_JWT_SECRET = "test-secret-that-is-at-least-32-bytes-long!";

/**
 * What a test's API process runs with unless told otherwise: a fresh in-memory database, a fixed secret,
 * cheap password hashing, one process, and sign-outs that reach access-token checks within 200 ms.
 */
export const TEST_API_ENV: Readonly<Record<string, string>> = {
  DATABASE_URL: "",
  PGLITE_DIR: "memory://",
  JWT_SECRET: TEST_JWT_SECRET,
  BCRYPT_COST: "4",
  LOG_LEVEL: "info",
  WEB_CONCURRENCY: "1",
  REVOCATION_SYNC_MS: "200",
};

export interface StartedApiProcess {
  /** The process, its logs and its exit. */
  readonly api: ApiProcess;
  /** Where it listens: `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** SIGKILLs it (and any worker) and waits for the exit: an in-memory database has nothing to flush. */
  stop(): Promise<void>;
}

/** An API process from source on `TEST_API_ENV` plus `env`, once it listens. */
export async function startApiProcess(
  env: Record<string, string> = {},
  options: SpawnOptions & { withinMs?: number } = {},
): Promise<StartedApiProcess> {
  const api = spawnApi({ ...TEST_API_ENV, ...env }, options);
  const stop = async () => {
    api.kill();
    await api.exited;
  };
  try {
    const url = await api.waitUntilListening(1, options.withinMs ?? 60_000);
    return { api, url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** By default the API from source (tsx); `options.main` runs another script, such as a built `dist/main.js`. */
export function spawnApi(env: Record<string, string>, options: SpawnOptions = {}): ApiProcess {
  // tsx as a loader (not its CLI, which would put a process of its own between us and the server).
  const script = options.main ? [options.main] : ["--import", "tsx", "src/main.ts"];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...script], {
    cwd: options.cwd ?? API_DIR,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", options.stdout ?? "pipe", "pipe"],
  });
  const stdout = child.stdout ?? Readable.from([]);
  if (options.logFile) {
    const file = createWriteStream(options.logFile);
    stdout.pipe(file);
    child.stderr!.pipe(file);
  }
  const keep = options.keep ?? (() => true);
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = "";
  stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      try {
        const parsed = JSON.parse(line) as LogLine;
        if (keep(parsed)) logs.push(parsed);
      } catch {
        stderr.push(line);
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
  let outputEnded = false;
  stdout.once("close", () => {
    outputEnded = true;
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once("exit", (code, signal) => {
      for (const wake of waiters) wake();
      resolve(code ?? signal ?? -1);
    });
  });

  const waitForLog: ApiProcess["waitForLog"] = (predicate, withinMs = 20_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = logs.find(predicate);
        if (found) {
          done();
          resolve(found);
        } else if ((child.exitCode !== null || child.signalCode !== null) && outputEnded) {
          // Not at the exit alone: the workers of a killed primary still print to the same pipe.
          done();
          reject(new Error(`API exited before the expected log line; stderr: ${stderr.join("")}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`expected log line not seen within ${withinMs} ms; stderr: ${stderr.join("")}`));
      }, withinMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    child,
    logs,
    stderr,
    exited,
    waitForLog,
    async waitUntilListening(count = 1, withinMs = 30_000) {
      const listening = () => logs.filter((l) => l.msg === "Todo API listening");
      await waitForLog(() => listening().length >= count, withinMs);
      return String(listening()[0]!.url);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      for (const pid of new Set(logs.map((l) => l.pid))) {
        if (pid !== child.pid && isRunning(pid) && commandLine(pid).includes(script.at(-1)!))
          process.kill(pid, "SIGKILL");
      }
    },
  };
}

/** One of the API's command-line programs (e.g. "src/db/migrate-cli.ts"), run as its pnpm script runs it. */
export function runApiCli(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: API_DIR,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Whether a process runs (a zombie left for its parent to reap counts as gone). Linux: reads /proc. */
export function isRunning(pid: number): boolean {
  try {
    // The state follows the command name, which is in parentheses and may itself contain ") ".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/**
 * One request on a connection of its own (no keep-alive pool), so that under node:cluster each request may
 * land on another worker, and a refused connection shows up as ECONNREFUSED rather than a reused socket.
 */
export function freshRequest(
  url: string,
  path: string,
  options: {
    method?: string;
    body?: unknown;
    token?: string;
    requestId?: string;
    forwardedFor?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<RawResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${path}`,
      {
        method: options.method ?? "GET",
        agent: false,
        headers: {
          ...(payload !== undefined && { "content-type": "application/json" }),
          ...(options.token && { authorization: `Bearer ${options.token}` }),
          ...(options.requestId && { "x-request-id": options.requestId }),
          ...(options.forwardedFor && { "x-forwarded-for": options.forwardedFor }),
          ...options.headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => {
          let body: unknown = text;
          if (text && res.headers["content-type"]?.includes("json")) body = JSON.parse(text);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

export interface SignedUp {
  email: string;
  userId: string;
  token: string;
  taskId: string;
}

/** A new account (a unique email starting with `prefix`) with one task, made through the API itself. */
export async function signUpWithTask(url: string, prefix: string, password: string): Promise<SignedUp> {
  const email = `${prefix}-${randomUUID()}@example.com`;
  const session = await freshRequest(url, contract.auth.register.path, { method: "POST", body: { email, password } });
  if (session.status !== 201) throw new Error(`register answered ${session.status}: ${JSON.stringify(session.body)}`);
  const { user, accessToken } = session.body;
  const task = await freshRequest(url, contract.tasks.create.path.replace(":userId", user.id), {
    method: "POST",
    token: accessToken,
    body: { title: `${prefix} task` },
  });
  if (task.status !== 201) throw new Error(`create task answered ${task.status}: ${JSON.stringify(task.body)}`);
  return { email, userId: user.id, token: accessToken, taskId: task.body.id };
}
