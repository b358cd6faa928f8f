import { randomUUID } from "node:crypto";
import { randomIp, signUp, startTestApp, TEST_JWT_SECRET, type TestApp } from "@todo/test-kit";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    REVOCATION_SYNC_MS: "200",
    RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS: "3",
    RATE_LIMIT_LOGIN_PER_ACCOUNT: "6",
  });
});
afterAll(() => app.close());

const NEW_PASSWORD = "a brand new passphrase";
const me = (token: string) => app.request("/api/v1/auth/me", { token });
const login = (email: string, password: string, headers: Record<string, string> = {}) =>
  app.request("/api/v1/auth/login", {
    method: "POST",
    body: { email, password },
    headers: { "x-forwarded-for": randomIp(), ...headers },
  });
const refresh = (refreshToken: string) =>
  app.request("/api/v1/auth/refresh", { method: "POST", body: { refreshToken } });
const changePassword = (token: string, currentPassword: string, newPassword = NEW_PASSWORD, ip = randomIp()) =>
  app.request("/api/v1/auth/password", {
    method: "PUT",
    token,
    body: { currentPassword, newPassword },
    headers: { "x-forwarded-for": ip },
  });
const listSignIns = (token: string) => app.request("/api/v1/auth/sessions", { token });
const endSignIn = (token: string, id: string) =>
  app.request(`/api/v1/auth/sessions/${encodeURIComponent(id)}`, { method: "DELETE", token });
const endOthers = (token: string) => app.request("/api/v1/auth/sessions", { method: "DELETE", token });
const deleteAccount = (token: string, body: object, ip = randomIp()) =>
  app.request("/api/v1/auth/me", { method: "DELETE", token, body, headers: { "x-forwarded-for": ip } });
const createTask = (userId: string, token: string, title: string) =>
  app.request(`/api/v1/${userId}/tasks`, { method: "POST", token, body: { title } });
const waitForRevocationSync = () => new Promise((r) => setTimeout(r, 600));
const externalToken = (sub: string) =>
  jwt.sign({ email: `${sub}@frontend.example.com`, emailVerified: true }, TEST_JWT_SECRET, {
    algorithm: "HS256",
    subject: sub,
    expiresIn: 600,
  });

describe("PUT /auth/password", () => {
  it("changes the password, ends every other sign-in and keeps this one", async () => {
    const user = await signUp(app);
    const phone = await login(user.email, user.password);
    const res = await changePassword(user.accessToken, user.password);
    expect(res.status).toBe(204);
    expect((await login(user.email, user.password)).status).toBe(401);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
    expect((await refresh(phone.body.refreshToken)).status).toBe(401);
    await waitForRevocationSync();
    expect((await me(phone.body.accessToken)).status).toBe(401);
    expect((await me(user.accessToken)).status).toBe(200);
    expect((await refresh(user.refreshToken)).status).toBe(200);
  });

  it("a wrong current password is 403 INVALID_CREDENTIALS and counts toward the account's failed-login limits", async () => {
    const user = await signUp(app);
    const ip = randomIp();
    for (let i = 0; i < 3; i++) {
      const wrong = await changePassword(user.accessToken, `wrong guess ${i}`, NEW_PASSWORD, ip);
      expect(wrong.status).toBe(403);
      expect(wrong.body.error.code).toBe("INVALID_CREDENTIALS");
    }
    // The stolen token is no password oracle: the 4th guess from that address is refused before any comparison,
    // even the right password, and the sign-in form from that address is locked for this account too.
    const locked = await changePassword(user.accessToken, user.password, NEW_PASSWORD, ip);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await login(user.email, user.password, { "x-forwarded-for": ip })).status).toBe(429);
    // The owner elsewhere is not locked out.
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it("concurrent wrong guesses cannot pass the per-account ceiling", async () => {
    const user = await signUp(app);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => changePassword(user.accessToken, `guess ${i}`)),
    );
    // 12 addresses, each under its own limit of 3; the account's ceiling of 6 holds across them.
    expect(results.filter((r) => r.status === 403)).toHaveLength(6);
    expect(results.filter((r) => r.status === 429)).toHaveLength(6);
  });

  it("refuses a new password that breaks the rules (422) and changes nothing", async () => {
    const user = await signUp(app);
    expect((await changePassword(user.accessToken, user.password, "short")).status).toBe(422);
    expect((await changePassword(user.accessToken, user.password, "x".repeat(73))).status).toBe(422);
    const extra = await app.request("/api/v1/auth/password", {
      method: "PUT",
      token: user.accessToken,
      body: { currentPassword: user.password, newPassword: NEW_PASSWORD, userId: "x" },
    });
    expect(extra.status).toBe(422);
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it("accounts without a password (external identities) get 403; no token gets 401", async () => {
    const token = externalToken(`ba_${randomUUID()}`);
    const res = await changePassword(token, "anything at all");
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("INVALID_CREDENTIALS");
    expect((await app.request("/api/v1/auth/password", { method: "PUT", body: {} })).status).toBe(401);
  });
});

describe("sign-ins: GET/DELETE /auth/sessions", () => {
  it("lists the account's active sign-ins newest first, with device, address and last use, marking this one", async () => {
    const user = await signUp(app);
    const phone = await login(user.email, user.password, {
      "user-agent": "TodoPhone/1.0",
      "x-forwarded-for": "2001:db8::7",
    });
    const list = await listSignIns(user.accessToken);
    expect(list.status).toBe(200);
    expect(list.headers.get("cache-control")).toBe("no-store");
    expect(list.body.items).toHaveLength(2);
    const [newest, oldest] = list.body.items;
    expect(newest).toMatchObject({ userAgent: "TodoPhone/1.0", ipAddress: "2001:db8::7", current: false });
    expect(oldest).toMatchObject({ current: true });
    expect(Date.parse(newest.createdAt)).toBeGreaterThanOrEqual(Date.parse(oldest.createdAt));
    expect(Date.parse(newest.expiresAt)).toBeGreaterThan(Date.now());

    // A refresh records its use: time, address, user agent.
    await new Promise((r) => setTimeout(r, 20));
    const renewed = await app.request("/api/v1/auth/refresh", {
      method: "POST",
      body: { refreshToken: phone.body.refreshToken },
      headers: { "user-agent": "TodoPhone/1.1", "x-forwarded-for": "198.51.100.9" },
    });
    expect(renewed.status).toBe(200);
    const after = (await listSignIns(renewed.body.accessToken)).body.items;
    expect(after[0]).toMatchObject({
      id: newest.id,
      userAgent: "TodoPhone/1.1",
      ipAddress: "198.51.100.9",
      current: true,
    });
    expect(Date.parse(after[0].lastUsedAt)).toBeGreaterThan(Date.parse(newest.lastUsedAt));
  });

  it("ends one sign-in: its refresh token at once, its access tokens within the sync interval", async () => {
    const user = await signUp(app);
    const phone = await login(user.email, user.password);
    const phoneId = (await listSignIns(user.accessToken)).body.items.find((s: { current: boolean }) => !s.current).id;
    expect((await endSignIn(user.accessToken, phoneId)).status).toBe(204);
    expect((await refresh(phone.body.refreshToken)).status).toBe(401);
    await waitForRevocationSync();
    expect((await me(phone.body.accessToken)).status).toBe(401);
    expect((await me(user.accessToken)).status).toBe(200);
    expect((await listSignIns(user.accessToken)).body.items).toHaveLength(1);
    // Ended already: 404 now.
    expect((await endSignIn(user.accessToken, phoneId)).status).toBe(404);
  });

  it("another person's sign-in id, an unknown one or a malformed one is 404 and ends nothing", async () => {
    const alice = await signUp(app);
    const bob = await signUp(app);
    const bobsId = (await listSignIns(bob.accessToken)).body.items[0].id;
    for (const id of [bobsId, randomUUID(), "not-a-uuid", "1'; DROP TABLE sign_ins; --"]) {
      const res = await endSignIn(alice.accessToken, id);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("NOT_FOUND");
    }
    expect((await refresh(bob.refreshToken)).status).toBe(200);
    expect((await listSignIns(alice.accessToken)).body.items.map((s: { id: string }) => s.id)).not.toContain(bobsId);
  });

  it("DELETE /auth/sessions ends all but the current one", async () => {
    const user = await signUp(app);
    const others = await Promise.all([1, 2, 3].map(() => login(user.email, user.password)));
    expect((await endOthers(user.accessToken)).status).toBe(204);
    const items = (await listSignIns(user.accessToken)).body.items;
    expect(items).toHaveLength(1);
    expect(items[0].current).toBe(true);
    for (const other of others) expect((await refresh(other.body.refreshToken)).status).toBe(401);
    await waitForRevocationSync();
    for (const other of others) expect((await me(other.body.accessToken)).status).toBe(401);
    expect((await me(user.accessToken)).status).toBe(200);
  });

  it("external identities have no sign-ins here: an empty list", async () => {
    const res = await listSignIns(externalToken(`ba_${randomUUID()}`));
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });

  it("needs a token", async () => {
    expect((await app.request("/api/v1/auth/sessions")).status).toBe(401);
    expect((await app.request(`/api/v1/auth/sessions/${randomUUID()}`, { method: "DELETE" })).status).toBe(401);
  });
});

describe("DELETE /auth/me", () => {
  it("deletes the account and everything in it; its tokens stop; the address can register again", async () => {
    const user = await signUp(app);
    const phone = await login(user.email, user.password);
    for (const title of ["one", "two"]) expect((await createTask(user.id, user.accessToken, title)).status).toBe(201);
    const res = await deleteAccount(user.accessToken, { password: user.password });
    expect(res.status).toBe(204);

    const prisma = app.server.db.prisma;
    expect(await prisma.user.count({ where: { id: user.id } })).toBe(0);
    expect(await prisma.task.count({ where: { userId: user.id } })).toBe(0);
    expect(await prisma.signIn.count({ where: { userId: user.id } })).toBe(0);
    expect((await refresh(phone.body.refreshToken)).status).toBe(401);
    await waitForRevocationSync();
    expect((await me(user.accessToken)).status).toBe(401);
    expect((await me(phone.body.accessToken)).status).toBe(401);
    expect((await createTask(user.id, phone.body.accessToken, "ghost")).status).toBe(401);

    const again = await app.request("/api/v1/auth/register", {
      method: "POST",
      body: { email: user.email, password: user.password },
      headers: { "x-forwarded-for": randomIp() },
    });
    expect(again.status).toBe(201);
    expect(again.body.user.id).not.toBe(user.id);
  });

  it("a wrong or missing password is 403 and deletes nothing; wrong ones count as failed logins", async () => {
    const user = await signUp(app);
    const ip = randomIp();
    expect((await deleteAccount(user.accessToken, {}, ip)).status).toBe(403);
    for (let i = 0; i < 3; i++) {
      const res = await deleteAccount(user.accessToken, { password: `wrong ${i}` }, ip);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("INVALID_CREDENTIALS");
    }
    expect((await deleteAccount(user.accessToken, { password: user.password }, ip)).status).toBe(429);
    expect((await me(user.accessToken)).status).toBe(200);
    expect((await deleteAccount(user.accessToken, { password: user.password, force: true })).status).toBe(422);
  });

  it("external identities delete with {}; a later token of theirs starts an empty account", async () => {
    const sub = `ba_${randomUUID()}`;
    const token = externalToken(sub);
    expect((await createTask(sub, token, "mine")).status).toBe(201);
    expect((await deleteAccount(token, { password: "they have none" })).status).toBe(403);
    expect((await deleteAccount(token, {})).status).toBe(204);
    expect(await app.server.db.prisma.task.count({ where: { userId: sub } })).toBe(0);
    const list = await app.request(`/api/v1/${sub}/tasks`, { token });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
  });

  it("races with task creation: nothing of the account survives, and no request fails with a 500", async () => {
    for (let round = 0; round < 5; round++) {
      const user = await signUp(app);
      let deleted = false;
      const statuses: number[] = [];
      // Eight writers keep creating tasks from before the deletion until after it.
      const writer = async () => {
        for (let after = 0; after < 3; ) {
          if (deleted) after++;
          statuses.push((await createTask(user.id, user.accessToken, `race ${statuses.length}`)).status);
        }
      };
      const writers = Array.from({ length: 8 }, writer);
      await new Promise((r) => setTimeout(r, 20 * round));
      const deletion = await deleteAccount(user.accessToken, { password: user.password });
      deleted = true;
      await Promise.all(writers);
      expect(deletion.status).toBe(204);
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 201 && s !== 401)).toEqual([]);
      const prisma = app.server.db.prisma;
      expect(await prisma.task.count({ where: { userId: user.id } })).toBe(0);
      expect(await prisma.user.count({ where: { id: user.id } })).toBe(0);
      expect(await prisma.signIn.count({ where: { userId: user.id } })).toBe(0);
    }
  });
});
