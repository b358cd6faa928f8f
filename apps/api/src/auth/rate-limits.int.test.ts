import { randomUUID } from "node:crypto";
import { randomIp, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    RATE_LIMIT_LOGIN_PER_ACCOUNT: "3",
    RATE_LIMIT_LOGIN_PER_ADDRESS: "5",
    RATE_LIMIT_REGISTER_PER_ADDRESS: "3",
    RATE_LIMIT_REFRESH_PER_ADDRESS: "3",
  });
});
afterAll(() => app.close());

const login = (email: string, password: string, ip = randomIp()) =>
  app.request("/api/v1/auth/login", { method: "POST", body: { email, password }, headers: { "x-forwarded-for": ip } });

function expectRateLimited(res: Awaited<ReturnType<typeof login>>, windowSeconds = 15 * 60) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe("RATE_LIMITED");
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

describe("login brute force", () => {
  it("locks an account after its ceiling of failures from all addresses, even for the right password", async () => {
    const user = await signUp(app);
    for (let i = 0; i < 3; i++) expect((await login(user.email, "wrong password")).status).toBe(401);
    expectRateLimited(await login(user.email, "wrong password"), 3600);
    expectRateLimited(await login(user.email, user.password), 3600);
    // Another account is unaffected.
    const other = await signUp(app);
    expect((await login(other.email, other.password)).status).toBe(200);
  });

  it("counts the same account in any letter case", async () => {
    const user = await signUp(app);
    for (let i = 0; i < 3; i++) await login(i % 2 ? user.email.toUpperCase() : user.email, "wrong password");
    expectRateLimited(await login(user.email, user.password), 3600);
  });

  it("limits failures per client address across accounts", async () => {
    const ip = randomIp();
    for (let i = 0; i < 5; i++) {
      expect((await login(`nobody-${randomUUID()}@example.com`, "wrong password", ip)).status).toBe(401);
    }
    const user = await signUp(app);
    expectRateLimited(await login(user.email, user.password, ip));
    expect((await login(user.email, user.password, randomIp())).status).toBe(200);
  });

  it("successful logins do not count as failures", async () => {
    const user = await signUp(app);
    for (let i = 0; i < 5; i++) expect((await login(user.email, user.password)).status).toBe(200);
  });
});

describe("register and refresh limits per address", () => {
  it("limits registrations per address", async () => {
    const ip = randomIp();
    const register = () =>
      app.request("/api/v1/auth/register", {
        method: "POST",
        body: { email: `r-${randomUUID()}@example.com`, password: "long enough password" },
        headers: { "x-forwarded-for": ip },
      });
    for (let i = 0; i < 3; i++) expect((await register()).status).toBe(201);
    expectRateLimited(await register(), 3600);
  });

  it("limits refresh attempts per address", async () => {
    const ip = randomIp();
    const refresh = () =>
      app.request("/api/v1/auth/refresh", {
        method: "POST",
        body: { refreshToken: "bogus" },
        headers: { "x-forwarded-for": ip },
      });
    for (let i = 0; i < 3; i++) expect((await refresh()).status).toBe(401);
    expectRateLimited(await refresh());
  });
});

describe("timing", () => {
  it("an unknown email costs the same bcrypt work as a wrong password", async () => {
    const slow = await startTestApp({ BCRYPT_COST: "10" });
    try {
      const user = await signUp(slow);
      const time = async (email: string) => {
        const started = performance.now();
        const res = await slow.request("/api/v1/auth/login", {
          method: "POST",
          body: { email, password: "wrong password" },
        });
        expect(res.status).toBe(401);
        return performance.now() - started;
      };
      await time(`warm-${randomUUID()}@example.com`); // the dummy hash is made on first use
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 5; i++) {
        known.push(await time(user.email));
        unknown.push(await time(`ghost-${randomUUID()}@example.com`));
      }
      // Cost 10 is ~50 ms here; skipping bcrypt would make unknown emails ~1 ms.
      expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
    } finally {
      await slow.close();
    }
  });
});
