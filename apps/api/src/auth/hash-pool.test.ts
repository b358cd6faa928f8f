import { existsSync, readdirSync } from "node:fs";
import { getPriority } from "node:os";
import bcrypt from "bcrypt";
import { describe, expect, it } from "vitest";
import { HashQueueFullError, hashPool } from "./hash-pool.js";

describe("hashPool", () => {
  it("hashes and compares as bcrypt does, in either direction", async () => {
    const hash = await hashPool().hash("correct horse battery", 4);
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(await bcrypt.compare("correct horse battery", hash)).toBe(true);
    expect(await hashPool().compare("correct horse battery", hash)).toBe(true);
    expect(await hashPool().compare("wrong horse battery", hash)).toBe(false);
    expect(await hashPool().compare("x", await bcrypt.hash("x", 4))).toBe(true);
  });

  it("queues more jobs than it has threads, and answers each one", async () => {
    const hashes = await Promise.all(Array.from({ length: 12 }, (_, i) => hashPool().hash(`password ${i}`, 4)));
    const checks = await Promise.all(hashes.map((hash, i) => hashPool().compare(`password ${i}`, hash)));
    expect(checks.every(Boolean)).toBe(true);
    expect(new Set(hashes).size).toBe(12);
  });

  it("fails a job with a bad argument without losing the pool", async () => {
    await expect(hashPool().hash(undefined as never, 4)).rejects.toThrow(/data and salt arguments required/);
    expect(await hashPool().compare("x", await hashPool().hash("x", 4))).toBe(true);
  });

  it.runIf(existsSync("/proc/thread-self"))("hashes on threads of lower priority than the event loop", async () => {
    await hashPool().hash("x", 4);
    const niceness = readdirSync("/proc/self/task").map((tid) => getPriority(Number(tid)));
    expect(getPriority(process.pid)).toBe(0);
    expect(niceness).toContain(10);
  });
});

describe("hashPool admission", () => {
  /** Occupies every thread with one slow job, so the next jobs must queue. */
  const occupyThreads = () =>
    Array.from({ length: hashPool().stats().threads }, () => hashPool().hash("busy", 10, { client: "busy" }));

  it("refuses at once, with a time to come back, when the queue is full", async () => {
    const busy = occupyThreads();
    const limits = { maxQueued: 2 };
    const queued = [hashPool().hash("a", 4, limits), hashPool().hash("b", 4, limits)];
    const started = performance.now();
    const refused = await hashPool()
      .hash("c", 4, limits)
      .catch((err: unknown) => err);
    expect(performance.now() - started).toBeLessThan(50);
    expect(refused).toBeInstanceOf(HashQueueFullError);
    expect((refused as HashQueueFullError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await Promise.all([...busy, ...queued]);
  });

  it("caps what one client may queue while others still get in", async () => {
    const busy = occupyThreads();
    const limits = { maxQueuedPerClient: 2, maxQueued: 10 };
    const flood = [1, 2].map((i) => hashPool().hash(`f${i}`, 4, { ...limits, client: "flood" }));
    await expect(hashPool().hash("f3", 4, { ...limits, client: "flood" })).rejects.toBeInstanceOf(HashQueueFullError);
    await expect(hashPool().hash("o", 4, { ...limits, client: "other" })).resolves.toMatch(/^\$2b\$04\$/);
    await Promise.all([...busy, ...flood]);
  });

  it("serves clients in turn, so a flood from one does not delay another's job behind all of it", async () => {
    const busy = occupyThreads();
    // The order in which the jobs reach a thread: the pool's decision. (The order in which they finish is also
    // the scheduler's: a thread at nice 10 on a loaded machine can stall while the other one runs several jobs.)
    const started: string[] = [];
    const job = (client: string, i: number) =>
      hashPool().hash(`${client}${i}`, 4, { client, onStart: () => void started.push(client) });
    const flood = Array.from({ length: 10 }, (_, i) => job("flood", i));
    const other = job("other", 0);
    await Promise.all([...busy, ...flood, other]);
    // First come, first served it would start last; in turn it starts second.
    expect(started.indexOf("other")).toBe(1);
    expect(started).toHaveLength(11);
  });

  it("serves the trusted lane, then the clean lane, before the rest, whatever the order of arrival", async () => {
    const busy = occupyThreads();
    const started: string[] = [];
    const job = (client: string, lane: "trusted" | "clean" | "rest") =>
      hashPool().hash(client, 4, { client, lane, onStart: () => void started.push(client) });
    // 20 rotating clients with failures, then one clean client, then a trusted device: each its own client,
    // so per-client turns alone would serve the last two last.
    const rest = Array.from({ length: 20 }, (_, i) => job(`flood-${i}`, "rest"));
    const clean = job("clean", "clean");
    const trusted = job("trusted", "trusted");
    await Promise.all([...busy, ...rest, clean, trusted]);
    expect(started.slice(0, 3)).toEqual(["trusted", "clean", "flood-0"]);
    expect(started).toHaveLength(22);
  });

  it("bounds each lane on its own: a full rest lane does not refuse a clean job", async () => {
    const busy = occupyThreads();
    const limits = { maxQueued: 3 };
    const rest = [1, 2, 3].map((i) => hashPool().hash(`r${i}`, 4, { ...limits, client: `r${i}`, lane: "rest" }));
    await expect(hashPool().hash("r4", 4, { ...limits, client: "r4", lane: "rest" })).rejects.toBeInstanceOf(
      HashQueueFullError,
    );
    await expect(hashPool().hash("c", 4, { ...limits, client: "c", lane: "clean" })).resolves.toMatch(/^\$2b\$04\$/);
    await Promise.all([...busy, ...rest]);
  });

  it("drops a queued job whose request ended, without hashing it", async () => {
    const before = hashPool().stats();
    const busy = occupyThreads();
    const controller = new AbortController();
    const dropped = hashPool().hash("gone", 4, { signal: controller.signal });
    controller.abort();
    await expect(dropped).rejects.toMatchObject({ name: "AbortError" });
    await Promise.all(busy);
    const after = hashPool().stats();
    expect(after.dropped - before.dropped).toBe(1);
    expect(after.started - before.started).toBe(busy.length);
    // A request that already ended never queues.
    await expect(hashPool().hash("late", 4, { signal: controller.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
  });
});
