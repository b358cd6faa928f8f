import { randomInt, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomIp, type SignedUpUser, signUp, startTestApp, type TestApp } from "../../test/harness.js";

// The setting: a small hashing queue that a flood keeps full. The per-address login limit is out of the
// way (the flood's addresses would hit it first otherwise): here the queue's fairness must hold on its own.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    BCRYPT_COST: "8",
    HASH_QUEUE_MAX: "8",
    HASH_QUEUE_MAX_PER_CLIENT: "4",
    RATE_LIMIT_LOGIN_PER_ADDRESS: "1000000",
    RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS: "1000000",
  });
});
afterAll(() => app.close());

const login = (email: string, password: string, ip: string) =>
  fetch(`${app.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({ email, password }),
  }).then(async (res) => {
    await res.arrayBuffer();
    return res.status;
  });

const hex = () => randomInt(0x10000).toString(16);

/**
 * Wrong-password logins for unknown accounts from `concurrency` clients at once, each request from the next
 * address `nextAddress` gives, until stopped; counts the answers by status.
 */
function flood(concurrency: number, nextAddress: () => string) {
  let running = true;
  const statuses = new Map<number, number>();
  const workers = Array.from({ length: concurrency }, async () => {
    while (running) {
      const status = await login(`ghost-${randomUUID()}@example.com`, "wrong guess", nextAddress()).catch(() => 0);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  });
  return {
    statuses,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** The owner's correct logins, one after the other, from a clean address (no failures in the window). */
async function ownerLogins(user: SignedUpUser, count: number): Promise<{ statuses: number[]; slowestMs: number }> {
  const address = randomIp();
  const statuses: number[] = [];
  let slowestMs = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    statuses.push(await login(user.email, user.password, address));
    slowestMs = Math.max(slowestMs, performance.now() - started);
  }
  return { statuses, slowestMs: Math.round(slowestMs) };
}

describe("a hashing-queue flood from rotating addresses does not starve the owner's correct login", () => {
  it("every request from a new address of one IPv6 /64 (2^64 of them): the owner signs in 10 of 10", async () => {
    const user = await signUp(app);
    const prefix = `2001:db8:${hex()}:${hex()}`;
    const attack = flood(24, () => `${prefix}:${hex()}:${hex()}:${hex()}:${hex()}`);
    await new Promise((r) => setTimeout(r, 1_000)); // the queue is full by now
    const owner = await ownerLogins(user, 10);
    await attack.stop();
    console.log(
      "IPv6 /64 flood:",
      JSON.stringify(Object.fromEntries(attack.statuses)),
      "owner:",
      JSON.stringify(owner),
    );
    expect(attack.statuses.get(503) ?? 0).toBeGreaterThan(0); // the queue was full: the flood met refusals
    expect(owner.statuses).toEqual(Array(10).fill(200));
  });

  it("requests rotating over five IPv4 addresses: the owner signs in 10 of 10", async () => {
    const user = await signUp(app);
    const five = Array.from({ length: 5 }, () => randomIp());
    let next = 0;
    const attack = flood(24, () => five[next++ % five.length]!);
    await new Promise((r) => setTimeout(r, 1_000));
    const owner = await ownerLogins(user, 10);
    await attack.stop();
    console.log(
      "five-IPv4 flood:",
      JSON.stringify(Object.fromEntries(attack.statuses)),
      "owner:",
      JSON.stringify(owner),
    );
    expect(attack.statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(owner.statuses).toEqual(Array(10).fill(200));
  });
});
