import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestApp, type TestApp } from "../../test/harness.js";
import { purgeEndedSignIns } from "./sign-in-cleanup.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("purgeEndedSignIns", () => {
  it("deletes only sign-ins that ended more than one access-token lifetime ago", async () => {
    const user = await signUp(app);
    const prisma = app.server.db.prisma;
    const day = 86_400_000;
    const ago = (ms: number) => new Date(Date.now() - ms);
    const make = (expiresAt: Date, revokedAt: Date | null) =>
      prisma.signIn.create({ data: { id: randomUUID(), userId: user.id, expiresAt, revokedAt } });
    const old = await make(ago(3 * day), null);
    const oldRevoked = await make(ago(3 * day), ago(4 * day));
    const recentlyExpired = await make(ago(1000), null);
    const recentlyRevoked = await make(ago(3 * day), ago(1000));
    const live = await make(new Date(Date.now() + day), null);

    await purgeEndedSignIns(prisma, 86_400);

    const left = await prisma.signIn.findMany({ where: { userId: user.id }, select: { id: true } });
    const ids = new Set(left.map((s) => s.id));
    expect(ids.has(old.id)).toBe(false);
    expect(ids.has(oldRevoked.id)).toBe(false);
    expect(ids.has(recentlyExpired.id)).toBe(true);
    expect(ids.has(recentlyRevoked.id)).toBe(true);
    expect(ids.has(live.id)).toBe(true);
    // The user's own sign-up sign-in is live and untouched.
    expect(
      (await app.request("/api/v1/auth/refresh", { method: "POST", body: { refreshToken: user.refreshToken } })).status,
    ).toBe(200);
  });
});
