import { existsSync, readdirSync } from "node:fs";
import { getPriority } from "node:os";
import bcrypt from "bcrypt";
import { describe, expect, it } from "vitest";
import { hashPool } from "./hash-pool.js";

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
