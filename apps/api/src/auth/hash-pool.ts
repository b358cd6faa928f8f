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
interface Pending {
  job: Job;
  resolve(value: string | boolean): void;
  reject(err: Error): void;
}

class HashPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private readonly bcryptPath = createRequire(import.meta.url).resolve("bcrypt");
  private readonly live = new Set<Worker>();
  private nextId = 0;

  constructor(private readonly size: number) {}

  hash(password: string, cost: number): Promise<string> {
    return this.run({ id: this.nextId++, op: "hash", password, arg: cost }) as Promise<string>;
  }

  compare(password: string, hash: string): Promise<boolean> {
    return this.run({ id: this.nextId++, op: "compare", password, arg: hash }) as Promise<boolean>;
  }

  private run(job: Job): Promise<string | boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.live.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const next = this.queue.shift()!;
      this.busy.set(worker, next);
      // Only a thread with work keeps the process alive; an idle pool never holds up an exit.
      worker.ref();
      worker.postMessage(next.job);
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

let shared: HashPool | undefined;

/** The process's hashing threads, started on first use. */
export function hashPool(): HashPool {
  shared ??= new HashPool(Math.max(1, availableParallelism()));
  return shared;
}
