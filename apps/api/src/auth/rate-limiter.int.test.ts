import { randomUUID } from "node:crypto";
import { startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RateLimiter, type RateLimitRule } from "./rate-limiter.js";

let app: TestApp;
let limiter: RateLimiter;
beforeAll(async () => {
  app = await startTestApp();
  limiter = new RateLimiter(app.server.db.prisma);
});
afterAll(() => app.close());

const rule = (limit: number, name = `test-${randomUUID()}`): RateLimitRule => ({ name, limit, windowSeconds: 900 });
const countOf = async (r: RateLimitRule, subject: string) => {
  const rows = await app.server.db.prisma.$queryRaw<{ count: number }[]>`
    SELECT count FROM rate_limit_counters WHERE key = ${`${r.name}:${subject}`}`;
  return rows[0] ? Number(rows[0].count) : 0;
};

describe("RateLimiter.reserve", () => {
  it("admits no more than the limit of attempts sent at the same moment", async () => {
    const pair = rule(10);
    const shared = rule(1000);
    const results = await Promise.all(
      Array.from({ length: 60 }, () =>
        limiter.reserve([
          { rule: pair, subject: "s" },
          { rule: shared, subject: "s" },
        ]),
      ),
    );
    expect(results.filter((r) => r.admitted)).toHaveLength(10);
    for (const refused of results.filter((r) => !r.admitted)) {
      expect(refused).toMatchObject({ admitted: false, refusedBy: pair });
      expect(refused.admitted || refused.retryAfterSeconds).toBeGreaterThan(890);
    }
    // Refused attempts never reached the later, shared counter.
    expect(await countOf(shared, "s")).toBe(10);
  });

  it("refuses on a later counter and gives back what a refund returns", async () => {
    const own = rule(100);
    const shared = rule(2);
    const reserve = () =>
      limiter.reserve([
        { rule: own, subject: "a" },
        { rule: shared, subject: "b" },
      ]);
    const first = await reserve();
    expect(first.admitted).toBe(true);
    expect((await reserve()).admitted).toBe(true);
    expect(await reserve()).toMatchObject({ admitted: false, refusedBy: shared });
    if (!first.admitted) throw new Error("unreachable");
    await limiter.refund(first);
    await limiter.refund(first);
    // Both counters gave back the one attempt each refund returned; the shared one admits again.
    expect(await countOf(shared, "b")).toBe(1);
    expect((await reserve()).admitted).toBe(true);
  });

  it("starts a new window once the old one ended", async () => {
    const r = rule(1);
    expect((await limiter.reserve([{ rule: r, subject: "x" }])).admitted).toBe(true);
    expect((await limiter.reserve([{ rule: r, subject: "x" }])).admitted).toBe(false);
    await app.server.db.prisma.$executeRaw`
      UPDATE rate_limit_counters SET expires_at = now() - interval '1 second' WHERE key = ${`${r.name}:x`}`;
    expect((await limiter.reserve([{ rule: r, subject: "x" }])).admitted).toBe(true);
  });
});
