// What `pnpm bench` was asked to do: argv and the BENCH_* variables (see run.ts for the list), read once.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const API_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = join(API_DIR, "../..");
export const DOC = join(REPO_ROOT, "docs/performance.md");

export type Scenario =
  | "list"
  | "get"
  | "create"
  | "create-keyed"
  | "update"
  | "toggle"
  | "delete"
  | "login"
  | "mixed"
  | BigListScenario;
/** The list route on one user's 10,000 tasks: each sort, and a search. */
export const BIG_LIST_QUERIES = {
  "10k:manual": "sort=manual",
  "10k:created": "sort=created",
  "10k:due": "sort=due",
  "10k:priority": "sort=priority",
  "10k:updated": "sort=updated",
  "10k:q": "q=item%2012",
} as const;
export type BigListScenario = keyof typeof BIG_LIST_QUERIES;
/** `create-keyed`: the create route with an Idempotency-Key of its own per request (what @todo/client sends). */
export const TASK_SCENARIOS: Scenario[] = [
  "list",
  "get",
  "create",
  "create-keyed",
  "update",
  "toggle",
  "delete",
  ...(Object.keys(BIG_LIST_QUERIES) as BigListScenario[]),
];
/** The routes bench/floor.ts implements. */
export const FLOOR_SCENARIOS: Scenario[] = ["list", "get", "create", "toggle"];

const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
const only = process.env.BENCH_ONLY?.split(",");

export const options = {
  quick,
  seconds: Number(process.env.BENCH_SECONDS ?? (quick ? 1 : 10)),
  /** Rounds of each route with an estimate of the seed's stack (floor, then API, alternating); the median counts. */
  rounds: Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 3)),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
  loginConnections: Number(process.env.BENCH_LOGIN_CONNECTIONS ?? 8),
  only,
  targets: (process.env.BENCH_TARGETS ?? "floor,api1,api2").split(","),
  adminUrl: process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  cpuProfDir: process.env.BENCH_CPU_PROF,
  apiNodeArgs: process.env.BENCH_API_NODE_ARGS?.split(" ").filter(Boolean) ?? [],
  /** `BENCH_API_ENV="NAME=value NAME=value"`: settings for the API under test (an experiment's, not the defaults). */
  apiEnv: Object.fromEntries(
    (process.env.BENCH_API_ENV?.split(" ").filter(Boolean) ?? []).map((pair) => {
      const at = pair.indexOf("=");
      if (at < 1) throw new Error(`BENCH_API_ENV: "${pair}" is not NAME=value`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  ),
  warmUpSeconds: Number(process.env.BENCH_WARMUP ?? (quick ? 0.5 : 2)),
  writeDocs: !quick && !only && !process.argv.includes("--no-docs"),
  jwtSecret: randomBytes(48).toString("base64"),
  /** Server logs go to files here (the per-request lines are not kept in memory). */
  workDir: mkdtempSync(join(tmpdir(), "todo-bench-")),
};

export const wanted = (s: Scenario) => !options.only || options.only.includes(s);
