import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomIp, type SignedUpUser, signUp, startTestApp, type TestApp } from "../../test/harness.js";

let app: TestApp;
let user: SignedUpUser;
beforeAll(async () => {
  app = await startTestApp();
  user = await signUp(app);
});
afterAll(() => app.close());

describe("responses carrying tokens or private data are never cached (RFC 6749 §5.1)", () => {
  it("sign-in, refresh, the user and the tasks: Cache-Control: no-store, errors included", async () => {
    const ip = randomIp();
    const register = await app.request("/api/v1/auth/register", {
      method: "POST",
      body: { email: `nostore-${Date.now()}@example.com`, password: "correct horse battery" },
      headers: { "x-forwarded-for": ip },
    });
    const login = await app.request("/api/v1/auth/login", {
      method: "POST",
      body: { email: user.email, password: user.password },
    });
    const refresh = await app.request("/api/v1/auth/refresh", {
      method: "POST",
      body: { refreshToken: login.body.refreshToken },
    });
    const created = await app.request(`/api/v1/${user.id}/tasks`, {
      method: "POST",
      token: user.accessToken,
      body: { title: "private" },
    });
    const responses = {
      register,
      login,
      refresh,
      me: await app.request("/api/v1/auth/me", { token: user.accessToken }),
      created,
      list: await app.request(`/api/v1/${user.id}/tasks`, { token: user.accessToken }),
      get: await app.request(`/api/v1/${user.id}/tasks/${created.body.id}`, { token: user.accessToken }),
      wrongPassword: await app.request("/api/v1/auth/login", {
        method: "POST",
        body: { email: user.email, password: "wrong password" },
      }),
      noToken: await app.request(`/api/v1/${user.id}/tasks`),
      invalid: await app.request(`/api/v1/${user.id}/tasks`, { method: "POST", token: user.accessToken, body: {} }),
    };
    expect(Object.values(responses).map((r) => r.status)).toEqual([201, 200, 200, 200, 201, 200, 200, 401, 401, 422]);
    for (const [name, res] of Object.entries(responses)) {
      expect(res.headers.get("cache-control"), name).toBe("no-store");
      expect(res.headers.get("pragma"), name).toBe("no-cache");
    }
  });

  it("the public OpenAPI document stays cacheable", async () => {
    const doc = await app.request("/api/v1/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.headers.get("cache-control")).not.toBe("no-store");
  });
});

describe("/readyz", () => {
  it("tells anonymous callers the engine, never the embedded database's folder", async () => {
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: "ready", database: "up", engine: app.database });
    expect(ready.text).not.toMatch(/memory:|dataDir|\//);
  });
});
