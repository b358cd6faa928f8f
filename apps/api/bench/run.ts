// `pnpm bench`: the API as production runs it (built, `node dist/main.js`, NODE_ENV=production) on a fresh
// PostgreSQL database, against the bare node:http + pg floor (bench/floor.ts), with autocannon.
//
//   pnpm bench                  full run (10 s per scenario), figures written into docs/performance.md
//   pnpm bench --quick          1 s per scenario, nothing written: a smoke test of the whole pipeline
//   BENCH_SECONDS, BENCH_CONNECTIONS (32), BENCH_LOGIN_CONNECTIONS (8, the logins of the mixed run),
//   BENCH_ROUNDS (3; quick 1)   rounds of list, get, create and toggle, each the floor just before the API
//   BENCH_ONLY=list,get,...     scenarios to run;  BENCH_TARGETS=floor,api1,api2  what to run them on
//   BENCH_CPU_PROF=dir          writes --cpu-prof profiles of the single API process (and of the floor) into dir
//   BENCH_WARMUP=seconds        load on list, get and toggle before measuring each target (2; quick 0.5)
//   BENCH_API_NODE_ARGS="…"     extra node flags for the API process (experiments, e.g. V8 heap settings)
//   BENCH_API_ENV="K=v …"       settings for the API under test (experiments, e.g. OWNER_WRITES_IN_DATABASE=1)
//   BENCH_ADMIN_URL             where to create the database (postgres://postgres@127.0.0.1:5432/postgres)
//
// options.ts reads these; processes.ts starts the API and the floor (with the tests' test/api-process.ts);
// seeding.ts makes the database and its data; scenarios.ts drives the load; report.ts writes the figures.
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { API_DIR, DOC, options } from "./options.js";
import { measureBcrypt, startApi } from "./processes.js";
import { format, HEADER, verdicts, writeResults } from "./report.js";
import { benchApi, type Row } from "./scenarios.js";
import { createBenchDatabase, seed } from "./seeding.js";

async function main() {
  if (!existsSync(join(API_DIR, "dist/main.js"))) throw new Error("dist/main.js missing: run `pnpm build`");
  const database = await createBenchDatabase();
  console.log(`database ${database.name}; logs in ${options.workDir}`);
  const loadBefore = loadavg();
  console.log(`load average before: ${loadBefore.map((v) => v.toFixed(2)).join(" ")}`);
  const rows: Row[] = [];
  const db = new pg.Client({ connectionString: database.url });
  try {
    console.log("measuring bcrypt alone…");
    const bcrypt = measureBcrypt(Math.max(3, options.seconds));
    console.log(
      `bcrypt cost 12: ${bcrypt.perSecond.toFixed(1)} comparisons/s on the API's hash pool (${bcrypt.threads} threads)`,
    );

    // The first start applies the migrations; seeding goes through the API itself (registration).
    const seeder = await startApi(database.url, 1, false);
    await db.connect();
    const fixture = await seed(seeder.url, db);
    await seeder.stop();

    console.log(["", ...HEADER].join("\n"));
    const record = (row: Row) => {
      rows.push(row);
      console.log(format(row));
    };
    for (const workers of [1, 2]) {
      if (options.targets.includes(`api${workers}`)) {
        await benchApi(database.url, db, fixture, workers, bcrypt.perSecond, record);
      }
    }

    const verdict = verdicts(rows, bcrypt.perSecond);
    console.log(["", "Targets (single API process):", ...verdict].join("\n"));
    // Figures are reported, never enforced; but a run where requests failed measured something else.
    const failed = rows.filter((r) => Object.keys(r.result.failures).length > 0);
    if (failed.length > 0) {
      console.error(`\nrequests failed in: ${failed.map((r) => `${r.scenario} on ${r.target}`).join(", ")}`);
      process.exitCode = 1;
    }
    if (options.writeDocs) {
      writeResults({ rows, verdicts: verdict, bcrypt, pgVersion: database.pgVersion, loadBefore });
      console.log(`\nwritten to ${DOC}`);
    }
  } finally {
    await db.end().catch(() => undefined);
    await database.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
