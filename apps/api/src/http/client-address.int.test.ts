import { randomInt, randomUUID } from "node:crypto";
import { startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const hex = () => randomInt(0x10000).toString(16);
/** A random /64 prefix (`2001:db8:x:y`), and an address in it. */
const randomPrefix = () => `2001:db8:${hex()}:${hex()}`;
const inPrefix = (prefix: string) => `${prefix}:${hex()}:${hex()}:${hex()}:${hex()}`;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ RATE_LIMIT_LOGIN_PER_ADDRESS: "5", RATE_LIMIT_REGISTER_PER_ADDRESS: "3" });
});
afterAll(() => app.close());

const login = (xff: string, email = `nobody-${randomUUID()}@example.com`) =>
  app.request("/api/v1/auth/login", {
    method: "POST",
    body: { email, password: "wrong password" },
    headers: { "x-forwarded-for": xff },
  });

describe("client addresses as per-address limits count them", () => {
  it("an IPv6 /64 is one client: rotating through its addresses does not reset the per-address limit", async () => {
    const prefix = randomPrefix();
    for (let i = 0; i < 5; i++) expect((await login(inPrefix(prefix))).status).toBe(401);
    expect((await login(inPrefix(prefix))).status).toBe(429);
    expect((await login(`${prefix}::1`)).status).toBe(429);
    // The neighbouring /64 is someone else.
    expect((await login(inPrefix(randomPrefix()))).status).toBe(401);
  });

  it("an IPv4-mapped IPv6 address is the IPv4 address", async () => {
    const ipv4 = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    for (let i = 0; i < 3; i++) expect((await login(ipv4)).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await login(`::ffff:${ipv4}`)).status).toBe(401);
    expect((await login(`::FFFF:${ipv4}`)).status).toBe(429);
    expect((await login(ipv4)).status).toBe(429);
  });

  it("registrations are counted per /64 too", async () => {
    const prefix = randomPrefix();
    const register = () =>
      app.request("/api/v1/auth/register", {
        method: "POST",
        body: { email: `new-${randomUUID()}@example.com`, password: "correct horse battery" },
        headers: { "x-forwarded-for": inPrefix(prefix) },
      });
    for (let i = 0; i < 3; i++) expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(429);
  });
});

describe("forwarded addresses that are not IP addresses (TRUST_PROXY)", () => {
  it("a long non-IP X-Forwarded-For entry is the proxy's own address: 401, never a 500", async () => {
    // The proxy's own address (loopback) is every test's address: on PostgreSQL its counters are shared by the
    // files running alongside, so this app's per-address limit is out of reach.
    const roomy = await startTestApp({ RATE_LIMIT_LOGIN_PER_ADDRESS: "1000000" });
    try {
      for (const xff of ["x".repeat(600), `${"a".repeat(390)}, 1.2.3.4`, "[::1]:80", "1.2.3.4.5"]) {
        const res = await roomy.request("/api/v1/auth/login", {
          method: "POST",
          body: { email: `nobody-${randomUUID()}@example.com`, password: "wrong password" },
          headers: { "x-forwarded-for": xff },
        });
        expect(res.status, xff.slice(0, 40)).toBe(401);
      }
      const logged = roomy.logs.map((l) => JSON.parse(l)).filter((l) => l.reason === "unknown_email");
      expect(logged.length).toBe(4);
      for (const line of logged) expect(line.ip.length).toBeLessThanOrEqual(45);
      expect(roomy.logs.some((l) => l.includes('"level":"error"') || l.includes('"level":50'))).toBe(false);
    } finally {
      await roomy.close();
    }
  });

  it("behind TRUST_PROXY=loopback, garbage from the proxy counts against the proxy's address", async () => {
    const proxied = await startTestApp({ TRUST_PROXY: "loopback", RATE_LIMIT_LOGIN_PER_ADDRESS: "3" });
    try {
      const send = (xff: string) =>
        proxied.request("/api/v1/auth/login", {
          method: "POST",
          body: { email: `nobody-${randomUUID()}@example.com`, password: "wrong password" },
          headers: { "x-forwarded-for": xff },
        });
      // The counter of 127.0.0.1 (the proxy) starts from nothing here; on PostgreSQL it is shared by the run.
      await proxied.server.db.prisma.$executeRaw`DELETE FROM rate_limit_counters WHERE key = 'login-address:127.0.0.1'`;
      for (let i = 0; i < 3; i++) expect((await send(`garbage-${i}-${"z".repeat(500)}`)).status).toBe(401);
      // All three counted against 127.0.0.1, the proxy: a fourth, even with another garbage value, is refused.
      expect((await send("more garbage")).status).toBe(429);
      // A real forwarded address is its own client.
      expect((await send("203.0.113.9")).status).toBe(401);
      const failed = proxied.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === "authentication failed");
      expect(failed.map((l) => l.ip)).toEqual(["127.0.0.1", "127.0.0.1", "127.0.0.1", "203.0.113.9"]);
    } finally {
      await proxied.close();
    }
  });
});
