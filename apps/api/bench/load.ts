import { readFileSync } from "node:fs";
import autocannon from "autocannon";

export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  ok: number;
  /** Responses other than 2xx, by status, plus transport errors and timeouts. */
  failures: Record<string, number>;
  /** Peak resident memory of the watched processes, summed, in MiB (0 when none is watched). */
  peakRssMiB: number;
  /**
   * The share of this machine's CPU time the hypervisor gave to other guests during the run (steal, from
   * /proc/stat), in percent: a virtual machine's cores are not its own, and a run with much steal ran on less.
   */
  stealPercent: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** Called for every request: varies paths (a task per request) and bodies. */
  next(): RequestSpec;
  /** Processes whose resident memory is sampled during the run (a cluster's primary brings its workers). */
  watchPids?: number[];
  timeoutSeconds?: number;
}

/** Closed-loop load with autocannon; latencies are kept whole, so any percentile can be read off exactly. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let ok = 0;
  let peakKiB = 0;
  const sample = () => {
    const kib = (options.watchPids ?? []).flatMap(withChildren).reduce((sum, pid) => sum + rssKiB(pid), 0);
    peakKiB = Math.max(peakKiB, kib);
  };
  const sampler = setInterval(sample, 100);
  const cpuBefore = cpuTicks();

  let finish: (result: autocannon.Result) => void = () => {};
  let fail: (err: unknown) => void = () => {};
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // The callback form returns the instance (an EventEmitter) rather than a bare promise.
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.seconds,
      timeout: options.timeoutSeconds ?? 30,
      requests: [
        {
          setupRequest: (request) => {
            const spec = options.next();
            return {
              ...request,
              method: spec.method,
              path: spec.path,
              headers: {
                ...(spec.token && { authorization: `Bearer ${spec.token}` }),
                ...(spec.body !== undefined && { "content-type": "application/json" }),
                ...spec.headers,
              },
              body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
            };
          },
        },
      ],
    },
    (err, result) => (err ? fail(err) : finish(result)),
  );
  instance.on("response", (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    if (statusCode >= 200 && statusCode < 300) ok++;
    else failures[statusCode] = (failures[statusCode] ?? 0) + 1;
  });
  const result = await finished;
  clearInterval(sampler);
  sample();
  const cpuAfter = cpuTicks();
  if (result.errors > 0) failures.errors = result.errors;
  if (result.timeouts > 0) failures.timeouts = result.timeouts;

  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return {
    requestsPerSecond: ok / options.seconds,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    ok,
    failures,
    peakRssMiB: peakKiB / 1024,
    stealPercent: (100 * (cpuAfter.steal - cpuBefore.steal)) / Math.max(1, cpuAfter.total - cpuBefore.total),
  };
}

/** The machine's CPU time so far, in clock ticks: all of it, and the steal (the 8th figure of /proc/stat's cpu line). */
function cpuTicks(): { total: number; steal: number } {
  try {
    const figures = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: figures.reduce((a, b) => a + b, 0), steal: figures[7] ?? 0 };
  } catch {
    return { total: 0, steal: 0 }; // not Linux
  }
}

function rssKiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function withChildren(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    return [pid, ...children.map(Number)];
  } catch {
    return [pid];
  }
}
