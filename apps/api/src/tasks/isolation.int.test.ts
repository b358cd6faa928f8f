import { type SignedUpUser, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// SC-004: no request ever returns or changes another user's data.
let app: TestApp;
let owner: SignedUpUser;
let intruder: SignedUpUser;
let taskId: string;

beforeAll(async () => {
  app = await startTestApp();
  owner = await signUp(app);
  intruder = await signUp(app);
  const res = await app.request(`/api/v1/${owner.id}/tasks`, {
    method: "POST",
    token: owner.accessToken,
    body: { title: "Owner's secret", description: "private" },
  });
  taskId = res.body.id;
});
afterAll(() => app.close());

const routes = (userId: string, id: string) => [
  { method: "GET", path: `/api/v1/${userId}/tasks` },
  { method: "POST", path: `/api/v1/${userId}/tasks`, body: { title: "planted" } },
  { method: "GET", path: `/api/v1/${userId}/tasks/${id}` },
  { method: "PUT", path: `/api/v1/${userId}/tasks/${id}`, body: { title: "hijacked" } },
  { method: "DELETE", path: `/api/v1/${userId}/tasks/${id}` },
  { method: "PATCH", path: `/api/v1/${userId}/tasks/${id}/complete` },
];

describe("cross-user access", () => {
  it("answers 403 on every route when the path names another user", async () => {
    for (const route of routes(owner.id, taskId)) {
      const res = await app.request(route.path, {
        method: route.method,
        token: intruder.accessToken,
        body: route.body,
      });
      expect(res.status, `${route.method} ${route.path}`).toBe(403);
      expect(res.body.error.code).toBe("FORBIDDEN");
      expect(res.text).not.toContain("Owner's secret");
    }
  });

  it("answers 403 (not 422) even when the intruder's body is invalid", async () => {
    const res = await app.request(`/api/v1/${owner.id}/tasks`, {
      method: "POST",
      token: intruder.accessToken,
      body: { nope: 1 },
    });
    expect(res.status).toBe(403);
  });

  it("answers 404 on every task route when the intruder uses their own path with the owner's task id", async () => {
    for (const route of routes(intruder.id, taskId).filter((r) => r.path.includes(taskId))) {
      const res = await app.request(route.path, {
        method: route.method,
        token: intruder.accessToken,
        body: route.body,
      });
      expect(res.status, `${route.method} ${route.path}`).toBe(404);
    }
  });

  it("never lists another user's tasks", async () => {
    const res = await app.request(`/api/v1/${intruder.id}/tasks`, { token: intruder.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.items.find((t: { id: string }) => t.id === taskId)).toBeUndefined();
  });

  it("leaves the owner's task exactly as it was", async () => {
    const res = await app.request(`/api/v1/${owner.id}/tasks/${taskId}`, { token: owner.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: "Owner's secret", description: "private", completed: false });
    const list = await app.request(`/api/v1/${owner.id}/tasks`, { token: owner.accessToken });
    expect(list.body.items).toHaveLength(1);
  });

  it("treats an over-long or odd user id in the path as nobody's (403)", async () => {
    for (const userId of ["x".repeat(300), "00000000-0000-0000-0000-000000000000", "%00", "null"]) {
      const res = await app.request(`/api/v1/${userId}/tasks`, { token: owner.accessToken });
      expect(res.status).toBe(403);
    }
  });

  it("requires a token on every task route (401 with WWW-Authenticate)", async () => {
    for (const route of routes(owner.id, taskId)) {
      const res = await app.request(route.path, { method: route.method, body: route.body });
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
  });
});
