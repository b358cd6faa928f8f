// Several API processes on one database, behind a real HAProxy (health-checking /readyz) and a real
// PgBouncer in transaction mode: production's shape, on loopback. Built from haproxy.ts, pgbouncer.ts and
// api-process.ts only, so it moves into a test kit with them.

import { type Haproxy, serverName, startHaproxy } from "./haproxy.js";
import { type PgBouncer, startPgBouncer } from "./pgbouncer.js";
import { freePort } from "./ports.js";
import { type ApiProcess, spawnApi } from "./process.js";

export interface BalancedApis {
  /** The load balancer: what clients use. */
  readonly url: string;
  readonly bouncer: PgBouncer;
  readonly haproxy: Haproxy;
  /** The process now running in each slot (a restart replaces it). */
  readonly apis: ApiProcess[];
  /** Every process ever started, for log searches that span restarts. */
  readonly all: ApiProcess[];
  /** Which slot's process logged the request with this id (after it completed). */
  servedBy(requestId: string, withinMs?: number): Promise<number>;
  /**
   * SIGTERM to slot `i` (its /readyz fails first, then it drains), waits for exit code 0, starts a new
   * process on the same port, and resolves once HAProxy has it back UP.
   */
  restart(i: number): Promise<void>;
  stop(): Promise<void>;
}

export interface BalancedApisOptions {
  /** The PostgreSQL database (direct URL): the processes query it through PgBouncer, migrate directly. */
  databaseUrl: string;
  count?: number;
  /** Extra environment for every process. */
  env?: Record<string, string>;
}

export async function startBalancedApis({
  databaseUrl,
  count = 2,
  env = {},
}: BalancedApisOptions): Promise<BalancedApis> {
  const bouncer = await startPgBouncer({ serverUrl: databaseUrl });
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const all: ApiProcess[] = [];
  const slotOf = new Map<ApiProcess, number>();
  const spawnSlot = (i: number) => {
    const api = spawnApi({
      DATABASE_URL: bouncer.through(databaseUrl),
      DIRECT_DATABASE_URL: databaseUrl,
      PORT: String(ports[i]),
      TRUST_PROXY: "loopback",
      ...env,
    });
    all.push(api);
    slotOf.set(api, i);
    return api;
  };
  const apis: ApiProcess[] = [];
  let haproxy: Haproxy | undefined;
  try {
    // One at a time: the first applies the migrations, the others find nothing to do.
    for (let i = 0; i < count; i++) {
      apis.push(spawnSlot(i));
      await apis[i]!.waitUntilListening(1, 60_000);
    }
    haproxy = await startHaproxy({ backends: ports.map((p) => `127.0.0.1:${p}`) });
    await haproxy.waitFor("UP");
  } catch (err) {
    for (const api of all) api.kill();
    await haproxy?.stop();
    await bouncer.stop();
    throw err;
  }
  const balancer = haproxy;
  return {
    url: balancer.url,
    bouncer,
    haproxy: balancer,
    apis,
    all,
    async servedBy(requestId, withinMs = 10_000) {
      const started = performance.now();
      for (;;) {
        const api = all.find((a) => a.logs.some((l) => l.reqId === requestId && l.msg === "request completed"));
        if (api) return slotOf.get(api)!;
        if (performance.now() - started > withinMs) throw new Error(`no process logged request ${requestId}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async restart(i) {
      const old = apis[i]!;
      old.child.kill("SIGTERM");
      await balancer.waitFor("DOWN", [serverName(i)]);
      const code = await old.exited;
      if (code !== 0) throw new Error(`slot ${i} exited with ${code}: ${old.stderr.join("")}`);
      apis[i] = spawnSlot(i);
      await apis[i]!.waitUntilListening(1, 60_000);
      await balancer.waitFor("UP", [serverName(i)]);
    },
    async stop() {
      await Promise.all(
        apis.map(async (api) => {
          if (api.child.exitCode === null && api.child.signalCode === null) api.child.kill("SIGTERM");
          await Promise.race([api.exited, new Promise((r) => setTimeout(r, 15_000))]);
          api.kill();
        }),
      );
      for (const api of all) api.kill();
      await balancer.stop();
      await bouncer.stop();
    },
  };
}
