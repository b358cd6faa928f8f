import { randomUUID } from "node:crypto";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestApp, TEST_JWT_SECRET, type TestApp } from "../../test/harness.js";

let app: TestApp;
beforeAll(async () => {
  // Strict single use, no reuse grace: the grace has tests of its own (refresh-grace.int.test.ts).
  app = await startTestApp({ REVOCATION_SYNC_MS: "200", REFRESH_REUSE_GRACE_SECONDS: "0" });
});
afterAll(() => app.close());

const refresh = (refreshToken: string) =>
  app.request("/api/v1/auth/refresh", { method: "POST", body: { refreshToken } });
const logout = (refreshToken: string) => app.request("/api/v1/auth/logout", { method: "POST", body: { refreshToken } });
const me = (accessToken: string) => app.request("/api/v1/auth/me", { token: accessToken });
const login = (email: string, password: string) =>
  app.request("/api/v1/auth/login", { method: "POST", body: { email, password } });
/** Revocation reaches every process within a few seconds; in tests the poll runs every 200 ms. */
const waitForRevocationSync = () => new Promise((r) => setTimeout(r, 600));

describe("refresh-token rotation", () => {
  it("returns a new pair and retires the old refresh token", async () => {
    const user = await signUp(app);
    const first = await refresh(user.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ user: { id: user.id }, tokenType: "Bearer", expiresIn: 86_400 });
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect((await me(first.body.accessToken)).status).toBe(200);

    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
    const claims = jwt.decode(second.body.accessToken) as jwt.JwtPayload;
    expect(claims.sid).toBe((jwt.decode(user.accessToken) as jwt.JwtPayload).sid);
  });

  it("reuse of a retired token revokes the whole sign-in (theft)", async () => {
    const user = await signUp(app);
    const rotated = await refresh(user.refreshToken);
    expect(rotated.status).toBe(200);

    const replay = await refresh(user.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe("UNAUTHORIZED");

    // Every token of that sign-in is now dead: the legitimately rotated refresh token and the access tokens.
    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
    await waitForRevocationSync();
    expect((await me(rotated.body.accessToken)).status).toBe(401);
    expect((await me(user.accessToken)).status).toBe(401);
    expect(app.logs.some((l) => l.includes("refresh_token_reuse") && l.includes('"level":"warn"'))).toBe(true);
  });

  it("unknown, empty or malformed refresh tokens → 401 / 422", async () => {
    expect((await refresh("definitely-not-a-token")).status).toBe(401);
    expect((await app.request("/api/v1/auth/refresh", { method: "POST", body: {} })).status).toBe(422);
    expect((await app.request("/api/v1/auth/refresh", { method: "POST", body: { refreshToken: "" } })).status).toBe(
      422,
    );
  });

  it("parallel refreshes of one token: exactly one succeeds", async () => {
    const user = await signUp(app);
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(user.refreshToken)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(9);
  });

  it("an expired sign-in cannot be refreshed", async () => {
    const shortLived = await startTestApp({ REFRESH_TOKEN_TTL: "1s" });
    try {
      const user = await signUp(shortLived);
      await new Promise((r) => setTimeout(r, 1_200));
      const res = await shortLived.request("/api/v1/auth/refresh", {
        method: "POST",
        body: { refreshToken: user.refreshToken },
      });
      expect(res.status).toBe(401);
    } finally {
      await shortLived.close();
    }
  });
});

describe("logout", () => {
  it("ends the sign-in: refresh token and access tokens stop working, other sign-ins keep working", async () => {
    const user = await signUp(app);
    const other = await login(user.email, user.password);
    expect(other.status).toBe(200);

    const res = await logout(user.refreshToken);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect((await refresh(user.refreshToken)).status).toBe(401);
    await waitForRevocationSync();
    const revoked = await me(user.accessToken);
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get("www-authenticate")).toContain('error="invalid_token"');

    expect((await me(other.body.accessToken)).status).toBe(200);
    expect((await refresh(other.body.refreshToken)).status).toBe(200);
  });

  it("is idempotent: unknown and already-ended tokens also get 204", async () => {
    const user = await signUp(app);
    expect((await logout(user.refreshToken)).status).toBe(204);
    expect((await logout(user.refreshToken)).status).toBe(204);
    expect((await logout("never-issued")).status).toBe(204);
  });

  it("ends access tokens in another API process on the same database within seconds", async () => {
    if (app.database !== "postgres") return; // one PGlite database belongs to one process
    const second = await startTestApp({ REVOCATION_SYNC_MS: "200" });
    try {
      const user = await signUp(app);
      expect((await second.request("/api/v1/auth/me", { token: user.accessToken })).status).toBe(200);
      expect((await logout(user.refreshToken)).status).toBe(204);
      await waitForRevocationSync();
      expect((await second.request("/api/v1/auth/me", { token: user.accessToken })).status).toBe(401);
    } finally {
      await second.close();
    }
  });
});

describe("tokens minted by another holder of the shared secret (Better Auth)", () => {
  const foreignToken = (sub: string, extra: object = {}) =>
    jwt.sign({ email: `${sub}@frontend.example.com`, emailVerified: true, ...extra }, TEST_JWT_SECRET, {
      algorithm: "HS256",
      subject: sub,
      expiresIn: 600,
    });

  it("accepts a valid token for a user the API has never seen and records that user", async () => {
    const sub = `ba_${randomUUID().replaceAll("-", "")}`;
    const token = foreignToken(sub);
    const whoami = await me(token);
    expect(whoami.status).toBe(200);
    expect(whoami.body.user).toMatchObject({ id: sub, email: `${sub}@frontend.example.com` });

    const created = await app.request(`/api/v1/${sub}/tasks`, {
      method: "POST",
      token,
      body: { title: "from the frontend" },
    });
    expect(created.status).toBe(201);
    const list = await app.request(`/api/v1/${sub}/tasks`, { token });
    expect(list.body.items.map((t: { title: string }) => t.title)).toEqual(["from the frontend"]);
  });

  it("keeps a verified email as the identity's own, even when a password account has the same address", async () => {
    const owner = await signUp(app);
    const sub = `ba_${randomUUID()}`;
    const res = await me(foreignToken(sub, { email: owner.email }));
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: sub, email: owner.email });
    // And the real owner's account is untouched.
    expect((await login(owner.email, owner.password)).status).toBe(200);
    expect((await me(owner.accessToken)).body.user).toMatchObject({ id: owner.id, email: owner.email });
  });

  it("keeps no email the issuer does not say is verified", async () => {
    const sub = `ba_${randomUUID()}`;
    expect((await me(foreignToken(sub, { emailVerified: false }))).body.user).toMatchObject({ id: sub, email: null });
    expect((await me(foreignToken(sub, { emailVerified: undefined }))).body.user.email).toBeNull();
    expect((await me(foreignToken(sub))).body.user.email).toBe(`${sub}@frontend.example.com`);
  });

  it("such a user has no password: logging in with their email never works", async () => {
    const sub = `ba_${randomUUID()}`;
    await me(foreignToken(sub));
    expect((await login(`${sub}@frontend.example.com`, "any password at all")).status).toBe(401);
  });

  it("keeps working until exp (no sign-in id to revoke)", async () => {
    const sub = `ba_${randomUUID()}`;
    const token = foreignToken(sub);
    expect((await me(token)).status).toBe(200);
    await waitForRevocationSync();
    expect((await me(token)).status).toBe(200);
  });
});
