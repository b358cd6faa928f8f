import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestApp, type TestApp } from "../../test/harness.js";
import { hashRefreshToken } from "./refresh-tokens.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ REVOCATION_SYNC_MS: "200" }); // REFRESH_REUSE_GRACE_SECONDS: its default, 10
});
afterAll(() => app.close());

const refresh = (refreshToken: string) =>
  app.request("/api/v1/auth/refresh", { method: "POST", body: { refreshToken } });
const me = (accessToken: string) => app.request("/api/v1/auth/me", { token: accessToken });
const sid = (accessToken: string) => (jwt.decode(accessToken) as jwt.JwtPayload).sid as string;
const waitForRevocationSync = () => new Promise((r) => setTimeout(r, 600));
/** Moves a retired token's rotation into the past on the database's clock, as if that much time had passed. */
const rotatedSecondsAgo = (refreshToken: string, seconds: number) =>
  app.server.db.prisma.$executeRaw`
    UPDATE refresh_tokens SET used_at = now() - make_interval(secs => ${seconds})
    WHERE token_hash = ${hashRefreshToken(refreshToken)}`;
const liveSignIns = async (userId: string) => {
  const rows = await app.server.db.prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM sign_ins WHERE user_id = ${userId} AND revoked_at IS NULL`;
  return Number(rows[0]!.n);
};

describe("refresh reuse grace", () => {
  it("a retired token presented again within the grace gets a new pair for the same sign-in", async () => {
    const user = await signUp(app);
    const first = await refresh(user.refreshToken);
    expect(first.status).toBe(200);
    const again = await refresh(user.refreshToken);
    expect(again.status).toBe(200);
    expect(again.body.refreshToken).not.toBe(first.body.refreshToken);
    expect(sid(again.body.accessToken)).toBe(sid(user.accessToken));
    await waitForRevocationSync();
    for (const pair of [first.body, again.body]) expect((await me(pair.accessToken)).status).toBe(200);
    expect((await refresh(first.body.refreshToken)).status).toBe(200);
    expect((await refresh(again.body.refreshToken)).status).toBe(200);
    expect(await liveSignIns(user.id)).toBe(1);
  });

  it("just inside the grace (9 s of 10) the retry is still answered", async () => {
    const user = await signUp(app);
    expect((await refresh(user.refreshToken)).status).toBe(200);
    await rotatedSecondsAgo(user.refreshToken, 9);
    expect((await refresh(user.refreshToken)).status).toBe(200);
  });

  it("just past the grace (11 s of 10) reuse is theft: the whole sign-in ends, logged at WARN", async () => {
    const user = await signUp(app);
    const successor = await refresh(user.refreshToken);
    expect(successor.status).toBe(200);
    await rotatedSecondsAgo(user.refreshToken, 11);
    const replay = await refresh(user.refreshToken);
    expect(replay.status).toBe(401);
    expect((await refresh(successor.body.refreshToken)).status).toBe(401);
    await waitForRevocationSync();
    expect((await me(successor.body.accessToken)).status).toBe(401);
    expect((await me(user.accessToken)).status).toBe(401);
    expect(await liveSignIns(user.id)).toBe(0);
    const warned = app.logs.map((l) => JSON.parse(l)).find((l) => l.reason === "refresh_token_reuse");
    expect(warned).toMatchObject({ level: "warn", signInId: sid(user.accessToken) });
  });

  it("20 refreshes of one token at the same moment: every caller ends signed in, on one sign-in", async () => {
    const user = await signUp(app);
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(user.refreshToken)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(results.map((r) => sid(r.body.accessToken)))).toEqual(new Set([sid(user.accessToken)]));
    expect(new Set(results.map((r) => r.body.refreshToken)).size).toBe(20);
    await waitForRevocationSync();
    for (const r of results) expect((await me(r.body.accessToken)).status).toBe(200);
    // Each caller can carry on refreshing with what it got.
    const next = await Promise.all(results.map((r) => refresh(r.body.refreshToken)));
    expect(next.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await liveSignIns(user.id)).toBe(1);
  });

  it("never revives a sign-in that ended", async () => {
    const user = await signUp(app);
    const first = await refresh(user.refreshToken);
    const out = await app.request("/api/v1/auth/logout", {
      method: "POST",
      body: { refreshToken: first.body.refreshToken },
    });
    expect(out.status).toBe(204);
    expect((await refresh(user.refreshToken)).status).toBe(401);
  });

  it("with a grace of 0, any reuse is theft", async () => {
    const strict = await startTestApp({ REFRESH_REUSE_GRACE_SECONDS: "0" });
    try {
      const user = await signUp(strict);
      const body = { refreshToken: user.refreshToken };
      expect((await strict.request("/api/v1/auth/refresh", { method: "POST", body })).status).toBe(200);
      expect((await strict.request("/api/v1/auth/refresh", { method: "POST", body })).status).toBe(401);
    } finally {
      await strict.close();
    }
  });
});
