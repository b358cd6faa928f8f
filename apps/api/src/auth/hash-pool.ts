import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

/**
 * bcrypt on worker threads of lower CPU priority than the event loop.
 *
 * bcrypt's own async API runs on libuv's thread pool, which keeps the event loop free but not fed: on a
 * small machine four pool threads hashing at full priority take the cores from the event loop and the
 * database, and every other request slows down (measured on 2 cores: task-list p95 ×8 while logins ran).
 * Here each hashing thread lowers its own priority (nice 10, Linux: a thread id is a valid target of
 * setpriority), so the scheduler serves requests first and gives bcrypt what is left, while a machine busy
 * only with logins still hashes on every core. There is one thread per core, shared by the whole process.
 *
 * The worker's code is a string evaluated as CommonJS, so it runs the same from sources (tsx, Vitest) and
 * from the bundle, with nothing to build or locate on disk but the bcrypt package itself.
 */
const NICE = 10;

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
try {
  const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
  require("node:os").setPriority(tid, workerData.nice);
} catch {
  // Not Linux (no /proc/thread-self), or not allowed: hash at normal priority.
}
const bcrypt = require(workerData.bcryptPath);
parentPort.on("message", ({ id, op, password, arg }) => {
  try {
    const result = op === "hash" ? bcrypt.hashSync(password, arg) : bcrypt.compareSync(password, arg);
    parentPort.postMessage({ id, result });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
`;

type Job =
  | { id: number; op: "hash"; password: string; arg: number }
  | { id: number; op: "compare"; password: string; arg: string };
type Reply = { id: number; result?: string | boolean; error?: string };
/**
 * Which queue a job waits in; lanes are served in this order, round-robin across clients within each:
 * - `trusted`: a login carrying a valid device token for its account (the owner's browser: see DeviceTokens);
 * - `clean`: a login from a client (address group) with no failed login in the current window;
 * - `rest`: everything else (clients with failures, registrations).
 * A flood from rotating addresses lands in `rest` after each address's first failure (and an IPv6 /64 is one
 * client), so it cannot keep the owner's correct login from a clean address, or with a device token, waiting.
 */
export type HashLane = "trusted" | "clean" | "rest";
const LANES: readonly HashLane[] = ["trusted", "clean", "rest"];

interface Pending {
  job: Job;
  client: string;
  lane: HashLane;
  resolve(value: string | boolean): void;
  reject(err: Error): void;
  /** Detaches the abort listener once the job leaves the queue. */
  release(): void;
  onStart?: () => void;
}

/** Admission of one job: who asks (for fairness), when to give up, how much waiting is allowed. */
export interface HashJobOptions {
  /** The job is dropped while still queued once this aborts (the request it serves has ended). */
  signal?: AbortSignal;
  /** Whose job this is, typically the client address group: jobs are served round-robin across clients. */
  client?: string;
  /** The queue it waits in (see HashLane). Default: `rest`. */
  lane?: HashLane;
  /** Jobs waiting (not running) in this job's lane beyond which it is refused. Default: no limit. */
  maxQueued?: number;
  /** Jobs waiting for this one client, in all lanes, beyond which this one is refused. Default: no limit. */
  maxQueuedPerClient?: number;
  /**
   * Called when a thread takes the job, after its wait in the queue: the order in which jobs start is the
   * pool's decision, the order in which they finish is also the scheduler's (threads at nice 10 on a loaded
   * machine can stall for tens of milliseconds).
   */
  onStart?: () => void;
}

/** The queue is full: the caller should answer 503 with `Retry-After` at once rather than wait. */
export class HashQueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("password hashing queue is full");
    this.name = "HashQueueFullError";
  }
}

export interface HashPoolStats {
  threads: number;
  running: number;
  queued: number;
  /** Jobs handed to a thread since start. */
  started: number;
  /** Jobs dropped, not hashed, because their request ended before a thread took them. */
  dropped: number;
  /** Jobs refused because the queue was full. */
  refused: number;
}

const ANONYMOUS = "";

class HashPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  /**
   * Waiting jobs by lane, then by client in round-robin order: the client served next is the first key, and a
   * client that still has jobs after being served moves to the end. A flood from one address then waits behind
   * itself, while another client's job is at most one round from a thread; lanes go first to last.
   */
  private readonly queues: Record<HashLane, Map<string, Pending[]>> = {
    trusted: new Map(),
    clean: new Map(),
    rest: new Map(),
  };
  private readonly queuedByLane: Record<HashLane, number> = { trusted: 0, clean: 0, rest: 0 };
  private readonly queuedByClient = new Map<string, number>();
  private queued = 0;
  private readonly counters = { started: 0, dropped: 0, refused: 0 };
  /** Moving average of one job's run time, to tell a refused caller when to come back. */
  private averageJobMs = 100;
  private readonly startedAt = new Map<Worker, number>();
  private readonly bcryptPath = createRequire(import.meta.url).resolve("bcrypt");
  private readonly live = new Set<Worker>();
  private nextId = 0;

  constructor(private readonly size: number) {}

  hash(password: string, cost: number, options: HashJobOptions = {}): Promise<string> {
    return this.run({ id: this.nextId++, op: "hash", password, arg: cost }, options) as Promise<string>;
  }

  compare(password: string, hash: string, options: HashJobOptions = {}): Promise<boolean> {
    return this.run({ id: this.nextId++, op: "compare", password, arg: hash }, options) as Promise<boolean>;
  }

  stats(): HashPoolStats {
    return { threads: this.size, running: this.busy.size, queued: this.queued, ...this.counters };
  }

  /**
   * The refusal a job with these options would get now, if any: lets a caller refuse before doing any other
   * work for a request that could not be hashed anyway (a flood's refusals must be cheap).
   */
  refusal(options: HashJobOptions): HashQueueFullError | undefined {
    const waitingForClient = this.queuedByClient.get(options.client ?? ANONYMOUS) ?? 0;
    const waitingInLane = this.queuedByLane[options.lane ?? "rest"];
    const mustWait = this.idle.length === 0 && this.live.size >= this.size;
    if (
      mustWait &&
      (waitingInLane >= (options.maxQueued ?? Number.POSITIVE_INFINITY) ||
        waitingForClient >= (options.maxQueuedPerClient ?? Number.POSITIVE_INFINITY))
    ) {
      this.counters.refused++;
      return new HashQueueFullError(this.retryAfterSeconds());
    }
    return undefined;
  }

  private run(job: Job, options: HashJobOptions): Promise<string | boolean> {
    const { signal, client = ANONYMOUS, lane = "rest", onStart } = options;
    if (signal?.aborted) {
      this.counters.dropped++;
      return Promise.reject(abortError(signal));
    }
    const full = this.refusal(options);
    if (full) return Promise.reject(full);
    return new Promise((resolve, reject) => {
      const pending: Pending = { job, client, lane, resolve, reject, release: () => undefined, onStart };
      if (signal) {
        const onAbort = () => {
          if (this.dequeue(pending)) {
            this.counters.dropped++;
            reject(abortError(signal));
          }
        };
        signal.addEventListener("abort", onAbort, { once: true });
        pending.release = () => signal.removeEventListener("abort", onAbort);
      }
      const queues = this.queues[lane];
      const queue = queues.get(client);
      if (queue) queue.push(pending);
      else queues.set(client, [pending]);
      this.count(pending, +1);
      this.dispatch();
    });
  }

  /** Removes a job that has not started; false when it already runs (bcrypt cannot be interrupted). */
  private dequeue(pending: Pending): boolean {
    const queues = this.queues[pending.lane];
    const queue = queues.get(pending.client);
    const at = queue?.indexOf(pending) ?? -1;
    if (!queue || at < 0) return false;
    queue.splice(at, 1);
    if (queue.length === 0) queues.delete(pending.client);
    this.count(pending, -1);
    return true;
  }

  private count(pending: Pending, delta: 1 | -1): void {
    this.queued += delta;
    this.queuedByLane[pending.lane] += delta;
    const left = (this.queuedByClient.get(pending.client) ?? 0) + delta;
    if (left > 0) this.queuedByClient.set(pending.client, left);
    else this.queuedByClient.delete(pending.client);
  }

  private nextJob(): Pending | undefined {
    for (const lane of LANES) {
      const queues = this.queues[lane];
      const first = queues.entries().next();
      if (first.done) continue;
      const [client, queue] = first.value;
      const next = queue.shift()!;
      queues.delete(client);
      if (queue.length > 0) queues.set(client, queue);
      this.count(next, -1);
      next.release();
      return next;
    }
    return undefined;
  }

  private retryAfterSeconds(): number {
    const drainMs = ((this.queued + this.busy.size) / this.size) * this.averageJobMs;
    return Math.min(60, Math.max(1, Math.ceil(drainMs / 1000)));
  }

  private dispatch(): void {
    while (this.queued > 0) {
      const worker = this.idle.pop() ?? (this.live.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const next = this.nextJob()!;
      this.busy.set(worker, next);
      this.startedAt.set(worker, performance.now());
      this.counters.started++;
      // Only a thread with work keeps the process alive; an idle pool never holds up an exit.
      worker.ref();
      worker.postMessage(next.job);
      next.onStart?.();
    }
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bcryptPath: this.bcryptPath, nice: NICE },
    });
    this.live.add(worker);
    worker.on("message", (reply: Reply) => {
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      const began = this.startedAt.get(worker);
      if (began !== undefined) this.averageJobMs = 0.8 * this.averageJobMs + 0.2 * (performance.now() - began);
      worker.unref();
      this.idle.push(worker);
      if (pending) {
        if (reply.error !== undefined) pending.reject(new Error(reply.error));
        else pending.resolve(reply.result!);
      }
      this.dispatch();
    });
    // A thread that dies (it should not) fails its job, and the next job starts a new one.
    const lost = (err: Error) => {
      if (!this.live.delete(worker)) return;
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      pending?.reject(err);
      this.dispatch();
    };
    worker.on("error", lost);
    worker.on("exit", (code) => lost(new Error(`hashing thread exited (${code})`)));
    return worker;
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException("The request ended", "AbortError");
}

let shared: HashPool | undefined;

/** The process's hashing threads, started on first use. */
export function hashPool(): HashPool {
  shared ??= new HashPool(Math.max(1, availableParallelism()));
  return shared;
}

/** What the metrics read of the shared pool: jobs waiting for a thread and jobs on one, without starting it. */
export function hashPoolDepth(): { queued: number; running: number } {
  const stats = shared?.stats();
  return { queued: stats?.queued ?? 0, running: stats?.running ?? 0 };
}
