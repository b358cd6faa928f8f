import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomIp, type SignedUpUser, signUp, startTestApp, type TestApp } from "../../test/harness.js";

const hex = () => randomInt(0x10000).toString(16);
const randomPrefix = () => `2001:db8:${hex()}:${hex()}`;
const inPrefix = (prefix: string) => `${prefix}:${hex()}:${hex()}:${hex()}:${hex()}`;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp(); // the default limits: 10 per account and address, 100 per account, 10 per device
});
afterAll(() => app.close());

const login = (email: string, password: string, ip: string, deviceToken?: string) =>
  app.request("/api/v1/auth/login", {
    method: "POST",
    body: { email, password, ...(deviceToken !== undefined && { deviceToken }) },
    headers: { "x-forwarded-for": ip },
  });

/** The owner signs in once on their device, which keeps the device token the answer carries. */
async function ownerDevice(user: SignedUpUser): Promise<string> {
  const res = await login(user.email, user.password, randomIp());
  expect(res.status).toBe(200);
  expect(res.body.deviceToken).toEqual(expect.stringMatching(/^dt1\./));
  return res.body.deviceToken as string;
}

/** Ten wrong guesses from each of these addresses. */
async function guess(email: string, addresses: string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const address of addresses) {
    for (let i = 0; i < 10; i++) statuses.push((await login(email, "wrong password", address)).status);
  }
  return statuses;
}

describe("device tokens (OWASP device cookies) keep the owner in when strangers lock the account", () => {
  it("11 addresses of one /64 x 10 guesses: one client, 10 guesses counted; the account is not locked", async () => {
    const user = await signUp(app);
    const prefix = randomPrefix();
    const statuses = await guess(
      user.email,
      Array.from({ length: 11 }, () => inPrefix(prefix)),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100);
    // The owner elsewhere, even without a device token, is not locked out.
    expect((await login(user.email, user.password, randomIp())).status).toBe(200);
  });

  it("11 /64s x 10 guesses lock strangers out for the hour; the owner with the device token still signs in", async () => {
    const user = await signUp(app);
    const device = await ownerDevice(user);
    const statuses = await guess(
      user.email,
      Array.from({ length: 11 }, () => inPrefix(randomPrefix())),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    // A stranger, even with the right password, is locked out by the per-account ceiling.
    const stranger = await login(user.email, user.password, randomIp());
    expect(stranger.status).toBe(429);
    expect(Number(stranger.headers.get("retry-after"))).toBeGreaterThan(15 * 60);
    // The owner's device: signed in, from a new address, and even from inside one of the attackers' /64s.
    const owner = await login(user.email, user.password, randomIp(), device);
    expect(owner.status).toBe(200);
    expect(owner.body.user.id).toBe(user.id);
    expect((await login(user.email, user.password, inPrefix(randomPrefix()), owner.body.deviceToken)).status).toBe(200);
  });

  it("a device token counts only for its own account, and a forged or tampered one is a stranger's", async () => {
    const victim = await signUp(app);
    const attacker = await signUp(app);
    const attackerDevice = await ownerDevice(attacker);
    await guess(
      victim.email,
      Array.from({ length: 11 }, () => randomIp()),
    );
    const tampered = `${attackerDevice.slice(0, -4)}AAAA`;
    for (const token of [attackerDevice, tampered, "dt1.forged.0.0.0", "x"]) {
      expect((await login(victim.email, victim.password, randomIp(), token)).status).toBe(429);
    }
  });

  it("a device token that keeps failing is locked itself (10 failures), and only that device", async () => {
    const user = await signUp(app);
    const device = await ownerDevice(user);
    const other = await ownerDevice(user);
    for (let i = 0; i < 10; i++)
      expect((await login(user.email, "wrong password", randomIp(), device)).status).toBe(401);
    const locked = await login(user.email, user.password, randomIp(), device);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("RATE_LIMITED");
    // The device's failures were not charged to the account or the addresses: the other device and strangers
    // are unaffected.
    expect((await login(user.email, user.password, randomIp(), other)).status).toBe(200);
    expect((await login(user.email, user.password, randomIp())).status).toBe(200);
  });

  it("register answers a device token too, and an unknown field next to it is still refused", async () => {
    const res = await app.request("/api/v1/auth/register", {
      method: "POST",
      body: { email: `device-${Date.now()}@example.com`, password: "correct horse battery" },
      headers: { "x-forwarded-for": randomIp() },
    });
    expect(res.status).toBe(201);
    expect(res.body.deviceToken).toEqual(expect.stringMatching(/^dt1\./));
    const bad = await app.request("/api/v1/auth/login", {
      method: "POST",
      body: { email: "a@b.co", password: "x", deviceToken: res.body.deviceToken, admin: true },
    });
    expect(bad.status).toBe(422);
    const tooLong = await login("a@b.co", "x", randomIp(), "d".repeat(513));
    expect(tooLong.status).toBe(422);
  });
});
