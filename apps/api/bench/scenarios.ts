// The scenarios: what each sends, and how one API configuration is driven through them beside the floor.
import type pg from "pg";
import { type LoadResult, type RequestSpec, runLoad } from "./load.js";
import { BIG_LIST_QUERIES, FLOOR_SCENARIOS, options, type Scenario, TASK_SCENARIOS, wanted } from "./options.js";
import { type Started, startApi, startFloor } from "./processes.js";
import { seedBasis } from "./report.js";
import { clearWriters, deletableTasks, type Fixture, PASSWORD } from "./seeding.js";

export interface Row {
  target: string;
  scenario: string;
  result: LoadResult;
  floor?: LoadResult;
  /** The floor's run of the route the seed's stack is estimated from (report.ts), made just before this one. */
  basis?: LoadResult;
  note?: string;
}

/** Endless request generators, one per scenario. */
export function requestsFor(scenario: Scenario, f: Fixture, deletable: string[]): () => RequestSpec {
  let i = 0;
  const cycle = <T>(items: T[]) => items[i++ % items.length]!;
  switch (scenario) {
    case "list":
    case "mixed":
      return () => ({ method: "GET", path: `/api/v1/${f.reader.id}/tasks`, token: f.reader.token });
    case "get":
      return () => ({
        method: "GET",
        path: `/api/v1/${f.reader.id}/tasks/${cycle(f.reader.taskIds)}`,
        token: f.reader.token,
      });
    case "create":
      return () => {
        const writer = cycle(f.writers);
        return {
          method: "POST",
          path: `/api/v1/${writer.id}/tasks`,
          token: writer.token,
          body: { title: `Benchmark task ${i}`, description: "Created under load" },
        };
      };
    case "create-keyed":
      return () => {
        const writer = cycle(f.writers);
        return {
          method: "POST",
          path: `/api/v1/${writer.id}/tasks`,
          token: writer.token,
          body: { title: `Benchmark task ${i}`, description: "Created under load" },
          headers: { "idempotency-key": `bench-${process.pid}-${i++}` },
        };
      };
    case "update":
      return () => ({
        method: "PUT",
        path: `/api/v1/${f.updater.id}/tasks/${cycle(f.updater.taskIds)}`,
        token: f.updater.token,
        body: { title: `Renamed ${i}`, completed: i % 2 === 0 },
      });
    case "toggle":
      return () => ({
        method: "PATCH",
        path: `/api/v1/${f.updater.id}/tasks/${cycle(f.updater.taskIds)}/complete`,
        token: f.updater.token,
      });
    case "delete":
      // Each request deletes a task of its own; once they run out, requests would be 404s (and counted).
      return () => ({
        method: "DELETE",
        path: `/api/v1/${f.deleter.id}/tasks/${deletable[i++]}`,
        token: f.deleter.token,
      });
    case "10k:manual":
    case "10k:created":
    case "10k:due":
    case "10k:priority":
    case "10k:updated":
    case "10k:q":
      return () => ({
        method: "GET",
        path: `/api/v1/${f.big.id}/tasks?${BIG_LIST_QUERIES[scenario]}`,
        token: f.big.token,
      });
    case "login":
      return () => ({
        method: "POST",
        path: "/api/v1/auth/login",
        body: { email: cycle(f.logins), password: PASSWORD },
      });
  }
}

const { connections, seconds } = options;
const load = (target: Started, scenario: Scenario, f: Fixture, extra: { deletable?: string[]; watch?: boolean } = {}) =>
  runLoad({
    url: target.url,
    connections,
    seconds,
    next: requestsFor(scenario, f, extra.deletable ?? []),
    watchPids: extra.watch === false ? undefined : [target.pid],
  });

async function warmUp(target: Started, f: Fixture) {
  if (options.warmUpSeconds <= 0) return;
  for (const scenario of ["list", "get", "toggle"] as const) {
    await runLoad({ url: target.url, connections, seconds: options.warmUpSeconds, next: requestsFor(scenario, f, []) });
  }
}

const pause = () => new Promise((r) => setTimeout(r, options.quick ? 200 : 1_000));
/** After a login run the server still hashes for requests autocannon gave up waiting on: let it finish. */
const settleLogins = (bcryptPerSecond: number) =>
  new Promise((r) => setTimeout(r, 1_000 + (1_000 * connections) / bcryptPerSecond));

/**
 * One API configuration, scenario by scenario. The floor (when wanted) runs each of its routes just before
 * the API's, both processes up and the idle one costing nothing, so a ratio compares two runs made seconds
 * apart under the same conditions rather than minutes apart.
 */
export async function benchApi(
  databaseUrl: string,
  db: pg.Client,
  f: Fixture,
  workers: number,
  bcryptPerSecond: number,
  record: (row: Row) => void,
  /** More environment for the API (e.g. DIRECT_DATABASE_URL when `databaseUrl` is a pooler). */
  extraEnv: Record<string, string> = {},
) {
  const target = `api ×${workers}${extraEnv.DIRECT_DATABASE_URL ? " via PgBouncer" : ""}`;
  const floor = options.targets.includes("floor") ? await startFloor(databaseUrl) : undefined;
  const api = await startApi(databaseUrl, workers, workers === 1, extraEnv);
  try {
    if (floor) await warmUp(floor, f);
    await warmUp(api, f);
    for (const scenario of TASK_SCENARIOS.filter(wanted)) {
      // A route with an estimate of the seed's stack runs in rounds, each the floor's runs just before the API's:
      // on a shared machine the cores' speed drifts within minutes (steal), so one pair of runs can mislead.
      // Only the single process's figures are held against the seed's (report.ts, verdicts).
      const basisScenario = floor ? seedBasis(scenario) : undefined;
      const rounds = basisScenario && workers === 1 ? options.rounds : 1;
      for (let round = 1; round <= rounds; round++) {
        const note = rounds > 1 ? `round ${round}/${rounds}` : undefined;
        const floorRun = async (route: Scenario) => {
          if (route === "create") await clearWriters(db, f);
          await pause();
          const result = await load(floor!, route, f);
          record({ target: `floor (before ${target})`, scenario: route, result, note });
          return result;
        };
        const floorResult = floor && FLOOR_SCENARIOS.includes(scenario) ? await floorRun(scenario) : undefined;
        const basis =
          basisScenario === scenario ? floorResult : basisScenario ? await floorRun(basisScenario) : undefined;
        const deletable = scenario === "delete" ? await deletableTasks(db, f, seconds * 12_000 * workers) : [];
        if (scenario === "create") await clearWriters(db, f);
        await pause();
        const result = await load(api, scenario, f, { deletable });
        record({ target, scenario, result, floor: floorResult, basis, note });
      }
    }
    if (wanted("login")) {
      await pause();
      const result = await load(api, "login", f);
      record({
        target,
        scenario: "login",
        result,
        note: `${((100 * result.requestsPerSecond) / bcryptPerSecond).toFixed(0)}% of bcrypt alone (${bcryptPerSecond.toFixed(1)}/s)`,
      });
      await settleLogins(bcryptPerSecond);
    }
    if (wanted("mixed")) {
      await pause();
      const reads = await load(api, "list", f);
      record({ target, scenario: "list, just before mixed", result: reads });
      await pause();
      const [mixedReads, mixedLogins] = await Promise.all([
        load(api, "mixed", f),
        runLoad({ url: api.url, connections: options.loginConnections, seconds, next: requestsFor("login", f, []) }),
      ]);
      record({
        target,
        scenario: "mixed: list",
        result: mixedReads,
        note: `p95 ×${(mixedReads.p95 / reads.p95).toFixed(2)} of list alone just before`,
      });
      record({
        target,
        scenario: "mixed: login",
        result: mixedLogins,
        note: `${options.loginConnections} connections, alongside the list above`,
      });
      await settleLogins(bcryptPerSecond);
    }
  } finally {
    await api.stop();
    await floor?.stop();
  }
}
