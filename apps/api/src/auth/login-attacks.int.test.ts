import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { randomIp, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPool } from "./hash-pool.js";

/** One login over a connection of its own from a real client address (127.0.0.x), not X-Forwarded-For. */
function loginFrom(app: TestApp, localAddress: string, email: string, password: string) {
  const payload = JSON.stringify({ email, password });
  return new Promise<{ status: number; retryAfter: string | undefined; body: any }>((resolve, reject) => {
    const req = httpRequest(
      `${app.url}/api/v1/auth/login`,
      { method: "POST", agent: false, localAddress, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => {
          text += c;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"], body: JSON.parse(text) }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const login = (app: TestApp, email: string, password: string, ip: string) =>
  app.request("/api/v1/auth/login", { method: "POST", body: { email, password }, headers: { "x-forwarded-for": ip } });

describe("concurrent guesses", () => {
  let app: TestApp;
  beforeAll(async () => {
    // A hash queue big enough for the whole burst: only the limits may refuse here.
    app = await startTestApp({ HASH_QUEUE_MAX: "1000", HASH_QUEUE_MAX_PER_CLIENT: "1000" });
  });
  afterAll(() => app.close());

  it("compares at most the limit's number of passwords, however many guesses arrive at once", async () => {
    const user = await signUp(app);
    const ip = randomIp();
    const startedBefore = hashPool().stats().started;
    const guesses = Array.from({ length: 80 }, (_, i) => (i === 60 ? user.password : `wrong guess ${i}`));
    const answers = await Promise.all(guesses.map((password) => login(app, user.email, password, ip)));

    const compared = answers.filter((a) => a.status === 401 || a.status === 200);
    expect(compared.length).toBeLessThanOrEqual(10);
    expect(compared.length).toBeGreaterThan(0);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(answers.length - compared.length);
    for (const r of refused) expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    // The hashing threads saw no more than that (this test's server shares the process's pool).
    expect(hashPool().stats().started - startedBefore).toBeLessThanOrEqual(10);
  });
});

describe("targeted lockout", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      TRUST_PROXY: "false",
      RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS: "3",
      RATE_LIMIT_LOGIN_PER_ACCOUNT: "5",
      RATE_LIMIT_LOGIN_PER_ADDRESS: "50",
    });
  });
  afterAll(() => app.close());

  it("someone hammering an account from one address does not lock its owner out of another", async () => {
    const owner = await signUp(app);
    const attacks = [];
    for (let i = 0; i < 8; i++) attacks.push(await loginFrom(app, "127.0.0.2", owner.email, `guess ${i}`));
    expect(attacks.map((a) => a.status)).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
    expect(Number(attacks[3]!.retryAfter)).toBeGreaterThan(0);
    // Even the right password from the attacker's address waits out the window there.
    expect((await loginFrom(app, "127.0.0.2", owner.email, owner.password)).status).toBe(429);

    const fromHome = await loginFrom(app, "127.0.0.3", owner.email, owner.password);
    expect(fromHome.status).toBe(200);
    expect(fromHome.body.user.id).toBe(owner.id);
  });

  it("keeps a per-account ceiling across addresses", async () => {
    const owner = await signUp(app);
    const statuses = [];
    for (const address of ["127.0.0.4", "127.0.0.5", "127.0.0.6"]) {
      for (let i = 0; i < 3; i++) statuses.push((await loginFrom(app, address, owner.email, "wrong")).status);
    }
    // 3 + 2 failures reach the ceiling of 5; the rest, from any address, are refused.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429]);
    expect((await loginFrom(app, "127.0.0.7", owner.email, owner.password)).status).toBe(429);
  });

  it("a successful login gives its attempt back: only failures count", async () => {
    const owner = await signUp(app);
    const from = "127.0.0.8";
    expect((await loginFrom(app, from, owner.email, "wrong")).status).toBe(401);
    expect((await loginFrom(app, from, owner.email, "wrong")).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await loginFrom(app, from, owner.email, owner.password)).status).toBe(200);
    expect((await loginFrom(app, from, owner.email, "wrong")).status).toBe(401);
    expect((await loginFrom(app, from, owner.email, "wrong")).status).toBe(429);
  });

  it("a password longer than 72 bytes never signs in, counts as a failure, and costs no hashing", async () => {
    const email = `long-${randomUUID()}@example.com`;
    const password = "p".repeat(72);
    const reg = await app.request("/api/v1/auth/register", { method: "POST", body: { email, password } });
    expect(reg.status).toBe(201);
    const from = "127.0.0.9";
    const startedBefore = hashPool().stats().started;
    for (const extra of ["x", "anything at all", "é"]) {
      const res = await loginFrom(app, from, email, password + extra);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("INVALID_CREDENTIALS");
    }
    expect(hashPool().stats().started).toBe(startedBefore);
    // Those were three failures: the limit for this account and address is reached.
    expect((await loginFrom(app, from, email, password)).status).toBe(429);
    expect((await loginFrom(app, "127.0.0.10", email, password)).status).toBe(200);
  });
});
