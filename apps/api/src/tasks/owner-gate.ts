import { serviceUnavailable } from "../errors/app-error.js";

/**
 * Admission to the owner's lock (owner-lock.ts, create_task): one person's creates and moves run one at a time in
 * the database, so more than a couple of them sent there at once only wait on the owner's row lock, each holding a
 * pool connection and a backend. A burst from one person (an import, a sync client pushing its queue) would then
 * fill the pool with lock waits and starve everybody else, and every wait costs the database far more than a
 * queue in this process: PostgreSQL wakes and rechecks each waiter (docs/performance.md, "One person's burst waits
 * in the API": about 40% less database CPU per create with 4 at a time per owner).
 *
 * So at most `perOwner` of an owner's gated writes run at once from this process; the rest wait here, in arrival
 * order, at most `waitMs` (the pool's own wait for a connection), then fail with the 503 a full pool gives. The
 * database's locks stay what makes these writes correct; the gate only decides how many reach them at once. Two
 * at a time keeps the next write ready in the database when the current one commits.
 */
export interface OwnerGate {
  /**
   * Runs `write` once admitted. `ended`: the request's end (its client went away, or its deadline answered),
   * asked for only when the write has to wait; a write still waiting then leaves the queue unrun (an
   * AbortError, which nobody is left to hear).
   */
  run<T>(ownerId: string, write: () => Promise<T>, ended?: () => AbortSignal): Promise<T>;
  /** Owners with a write running or waiting (idle owners take no memory). */
  readonly busyOwners: number;
}

interface Slot {
  running: number;
  waiting: { admit: () => void; timer: NodeJS.Timeout }[];
}

export function createOwnerGate({ perOwner, waitMs }: { perOwner: number; waitMs: number }): OwnerGate {
  const slots = new Map<string, Slot>();

  const admit = (ownerId: string, endedSignal?: () => AbortSignal): Promise<void> => {
    let slot = slots.get(ownerId);
    if (!slot) {
      slot = { running: 0, waiting: [] };
      slots.set(ownerId, slot);
    }
    if (slot.running < perOwner) {
      slot.running++;
      return Promise.resolve();
    }
    const waiting = slot.waiting;
    const ended = endedSignal?.();
    if (ended?.aborted) return Promise.reject(ended.reason);
    return new Promise((resolve, reject) => {
      // Leaves the queue without running; the slot stays with the writes that hold it (running is unchanged).
      const leave = (error: Error) => {
        const at = waiting.indexOf(entry);
        if (at >= 0) waiting.splice(at, 1);
        clearTimeout(entry.timer);
        ended?.removeEventListener("abort", onEnded);
        reject(error);
      };
      const onEnded = () => leave(ended!.reason);
      const entry = {
        admit: () => {
          clearTimeout(entry.timer);
          ended?.removeEventListener("abort", onEnded);
          resolve();
        },
        timer: setTimeout(() => leave(serviceUnavailable()), waitMs),
      };
      waiting.push(entry);
      ended?.addEventListener("abort", onEnded, { once: true });
    });
  };

  const release = (ownerId: string): void => {
    const slot = slots.get(ownerId)!;
    const next = slot.waiting.shift();
    // The finished write's place goes straight to the first waiter, so nobody arriving meanwhile jumps the queue.
    if (next) next.admit();
    else if (--slot.running === 0) slots.delete(ownerId);
  };

  return {
    async run(ownerId, write, ended) {
      await admit(ownerId, ended);
      try {
        return await write();
      } finally {
        release(ownerId);
      }
    },
    get busyOwners() {
      return slots.size;
    },
  };
}
