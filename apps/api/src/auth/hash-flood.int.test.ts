import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { randomIp, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPool } from "./hash-pool.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    BCRYPT_COST: "8",
    HASH_QUEUE_MAX: "8",
    HASH_QUEUE_MAX_PER_CLIENT: "4",
    // The per-address login limit would stop the flood first; here the hash queue must hold on its own.
    RATE_LIMIT_LOGIN_PER_ADDRESS: "100000",
  });
});
afterAll(() => app.close());

const login = (email: string, password: string, ip: string, signal?: AbortSignal) => {
  const started = performance.now();
  return fetch(`${app.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({ email, password }),
    signal,
  }).then(async (res) => ({
    status: res.status,
    retryAfter: res.headers.get("retry-after"),
    body: (await res.json()) as { error?: { code: string } },
    ms: performance.now() - started,
    doneAt: performance.now(),
  }));
};

describe("a login flood from one address", () => {
  it("is refused with 503 + Retry-After at once while another address still signs in within seconds", async () => {
    const user = await signUp(app);
    const flooder = randomIp();
    const flood = Array.from({ length: 150 }, () => login(`ghost-${randomUUID()}@example.com`, "wrong guess", flooder));
    // Once the first answer is back, the flood has reached the hashing stage.
    await Promise.race(flood);
    const owner = await login(user.email, user.password, randomIp());
    const answers = await Promise.all(flood);

    expect(owner.status).toBe(200);
    // Served in turn, not behind the flood: before the flood's last hashed login, and within seconds even
    // on a loaded machine (unbounded and first come, first served, it waits for the whole flood's hashing).
    const hashed = answers.filter((a) => a.status === 401);
    expect(owner.doneAt).toBeLessThan(Math.max(...hashed.map((a) => a.doneAt)));
    expect(owner.ms).toBeLessThan(10_000);
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(100);
    for (const r of refused) {
      expect(r.body.error?.code).toBe("SERVICE_UNAVAILABLE");
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(answers.filter((a) => a.status !== 503 && a.status !== 401)).toEqual([]);
    // Refusals do not wait for hashing: they come back sooner than the logins that were hashed.
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(median(refused.map((a) => a.ms))).toBeLessThan(Math.max(...hashed.map((a) => a.ms)));
  });

  it("drops queued hashing for requests whose client already gave up", async () => {
    const before = hashPool().stats();
    // Keep the hashing threads (shared by this process's server) busy, so the logins below must wait.
    const busy = Array.from({ length: before.threads }, () => hashPool().hash("busy", 12));
    const ip = randomIp();
    const controller = new AbortController();
    const gaveUp = Array.from({ length: 6 }, () =>
      login(`ghost-${randomUUID()}@example.com`, "wrong guess", ip, controller.signal).catch(() => "aborted"),
    );
    // Give up once some of them wait for a hashing thread.
    for (let waited = 0; hashPool().stats().queued === 0 && waited < 10_000; waited += 5) await delay(5);
    controller.abort();
    expect(await Promise.all(gaveUp)).toEqual(Array(6).fill("aborted"));
    await Promise.all(busy);
    await delay(500);
    const after = hashPool().stats();
    expect(after.dropped - before.dropped).toBeGreaterThan(0);
    expect(after.started - before.started - busy.length).toBeLessThan(6);
    // Abandoned work is no fault of the server's.
    expect(app.logEntries().filter((entry) => entry.level === "error")).toEqual([]);
  });
});
