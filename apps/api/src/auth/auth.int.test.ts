import { randomUUID } from "node:crypto";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestApp, TEST_JWT_SECRET, type TestApp } from "../../test/harness.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const register = (body: unknown) => app.request("/api/v1/auth/register", { method: "POST", body });
const login = (body: unknown) => app.request("/api/v1/auth/login", { method: "POST", body });

describe("register", () => {
  it("creates the account and signs in (201 session tokens)", async () => {
    const email = `New.User-${randomUUID()}@Example.COM`;
    const res = await register({ email: `  ${email} `, password: "s3cret-password" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      user: {
        id: expect.any(String),
        email: email.toLowerCase(),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: "Bearer",
      expiresIn: 86_400,
    });
    expect(res.text).not.toMatch(/password|hash/i);
    const claims = jwt.verify(res.body.accessToken, TEST_JWT_SECRET, { algorithms: ["HS256"] }) as jwt.JwtPayload;
    expect(claims.sub).toBe(res.body.user.id);
    expect(claims.email).toBe(email.toLowerCase());
    expect(claims.exp! - claims.iat!).toBe(86_400);
    // 256 bits of randomness, base64url.
    expect(Buffer.from(res.body.refreshToken, "base64url")).toHaveLength(32);
  });

  it("treats the same address in another case as the same account (409)", async () => {
    const email = `case-${randomUUID()}@example.com`;
    expect((await register({ email, password: "password-one" })).status).toBe(201);
    const again = await register({ email: email.toUpperCase(), password: "password-two" });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: { code: "EMAIL_TAKEN", message: expect.any(String), details: [] } });
  });

  it.each([
    ["missing email", { password: "long enough" }, "email"],
    ["invalid email", { email: "not-an-email", password: "long enough" }, "email"],
    ["short password", { email: "a@example.com", password: "short" }, "password"],
    ["7 characters", { email: "a@example.com", password: "1234567" }, "password"],
    ["password over 72 bytes", { email: "a@example.com", password: "p".repeat(73) }, "password"],
    ["multi-byte password over 72 bytes", { email: "a@example.com", password: "é".repeat(37) }, "password"],
    ["unknown field", { email: "a@example.com", password: "long enough", role: "admin" }, "role"],
    ["password not a string", { email: "a@example.com", password: 12345678 }, "password"],
  ])("refuses %s with 422", async (_name, body, field) => {
    const res = await register(body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ location: "body", field }));
  });

  it("accepts a password of exactly 72 bytes and 8 characters, and never truncates", async () => {
    const email = `bytes-${randomUUID()}@example.com`;
    const password = `${"é".repeat(35)}ab`; // 70 + 2 = 72 bytes
    expect((await register({ email, password })).status).toBe(201);
    expect((await login({ email, password })).status).toBe(200);
    // A 72-byte prefix match must not log in with a different password.
    expect((await login({ email, password: `${"é".repeat(35)}ac` })).status).toBe(401);
    expect((await register({ email: `eight-${randomUUID()}@example.com`, password: "12345678" })).status).toBe(201);
  });
});

describe("login and me", () => {
  it("signs in with email in any case and returns the user from /me", async () => {
    const user = await signUp(app);
    const res = await login({ email: ` ${user.email.toUpperCase()} `, password: user.password });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(user.id);
    expect(res.body.refreshToken).not.toBe(user.refreshToken);

    const me = await app.request("/api/v1/auth/me", { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: res.body.user });
  });

  it("gives one generic 401 for a wrong password and for an unknown email", async () => {
    const user = await signUp(app);
    const wrong = await login({ email: user.email, password: "wrong password" });
    const unknown = await login({ email: `nobody-${randomUUID()}@example.com`, password: "wrong password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe("INVALID_CREDENTIALS");
  });

  it("refuses a malformed login body with 422", async () => {
    expect((await login({ email: "a@example.com" })).status).toBe(422);
    expect((await login({ email: "a@example.com", password: "x", extra: 1 })).status).toBe(422);
  });
});
