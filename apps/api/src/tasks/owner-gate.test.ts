import { describe, expect, it } from "vitest";
import { AppError } from "../errors/app-error.js";
import { createOwnerGate } from "./owner-gate.js";

/** A write that runs until released, recording when it started. */
function controllable(log: string[], name: string) {
  let finish: (value: string) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const done = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return {
    write: () => {
      log.push(name);
      return done;
    },
    finish: () => finish(name),
    fail: (error: Error) => fail(error),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("owner gate", () => {
  it("lets at most perOwner writes of one owner run at once, the others in arrival order", async () => {
    const gate = createOwnerGate({ perOwner: 2, waitMs: 5_000 });
    const log: string[] = [];
    const writes = ["a", "b", "c", "d"].map((name) => controllable(log, name));
    const results = writes.map((w) => gate.run("owner", w.write));
    await tick();
    expect(log).toEqual(["a", "b"]);
    writes[1]!.finish();
    await tick();
    expect(log).toEqual(["a", "b", "c"]);
    writes[0]!.finish();
    await tick();
    expect(log).toEqual(["a", "b", "c", "d"]);
    writes[2]!.finish();
    writes[3]!.finish();
    expect(await Promise.all(results)).toEqual(["a", "b", "c", "d"]);
    expect(gate.busyOwners).toBe(0);
  });

  it("never holds one owner's writes back for another's", async () => {
    const gate = createOwnerGate({ perOwner: 1, waitMs: 5_000 });
    const log: string[] = [];
    const first = controllable(log, "first of A");
    const other = controllable(log, "B");
    const results = [gate.run("A", first.write), gate.run("A", async () => "second of A"), gate.run("B", other.write)];
    await tick();
    expect(log).toEqual(["first of A", "B"]);
    expect(gate.busyOwners).toBe(2);
    other.finish();
    first.finish();
    expect(await Promise.all(results)).toEqual(["first of A", "second of A", "B"]);
    expect(gate.busyOwners).toBe(0);
  });

  it("passes a failed write's error on and its place to the next", async () => {
    const gate = createOwnerGate({ perOwner: 1, waitMs: 5_000 });
    const log: string[] = [];
    const failing = controllable(log, "failing");
    const failed = gate.run("owner", failing.write);
    const next = gate.run("owner", async () => "next");
    failing.fail(new Error("quota"));
    await expect(failed).rejects.toThrow("quota");
    await expect(next).resolves.toBe("next");
    expect(gate.busyOwners).toBe(0);
  });

  it("answers 503 to a write that waited waitMs, which then never runs", async () => {
    const gate = createOwnerGate({ perOwner: 1, waitMs: 50 });
    const log: string[] = [];
    const slow = controllable(log, "slow");
    const running = gate.run("owner", slow.write);
    const waiting = gate.run("owner", async () => {
      log.push("late");
      return "late";
    });
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("SERVICE_UNAVAILABLE");
    slow.finish();
    await running;
    // The next write is admitted at once: the given-up one left no place behind.
    await expect(gate.run("owner", async () => "after")).resolves.toBe("after");
    expect(log).toEqual(["slow"]);
    expect(gate.busyOwners).toBe(0);
  });

  it("drops a waiting write whose request ended, unrun; asks for the request's end only when a write must wait", async () => {
    const gate = createOwnerGate({ perOwner: 1, waitMs: 5_000 });
    const log: string[] = [];
    const first = controllable(log, "first");
    let asked = 0;
    const client = new AbortController();
    const ended = () => {
      asked++;
      return client.signal;
    };
    const running = gate.run("owner", first.write, ended);
    expect(asked).toBe(0);
    const abandoned = gate.run("owner", async () => log.push("abandoned"), ended);
    const next = gate.run("owner", async () => "next");
    expect(asked).toBe(1);
    client.abort();
    await expect(abandoned).rejects.toMatchObject({ name: "AbortError" });
    first.finish();
    await expect(running).resolves.toBe("first");
    await expect(next).resolves.toBe("next");
    // A request already over never joins the queue.
    const slow = controllable(log, "slow");
    const held = gate.run("owner", slow.write);
    await expect(
      gate.run(
        "owner",
        async () => log.push("late"),
        () => client.signal,
      ),
    ).rejects.toMatchObject({
      name: "AbortError",
    });
    slow.finish();
    await held;
    expect(log).toEqual(["first", "slow"]);
    expect(gate.busyOwners).toBe(0);
  });
});
