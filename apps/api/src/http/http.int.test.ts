import { type SignedUpUser, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let app: TestApp;
let user: SignedUpUser;
beforeAll(async () => {
  app = await startTestApp({ CORS_ORIGINS: "https://app.example.com,https://admin.example.com" });
  user = await signUp(app);
});
afterAll(() => app.close());

const post = (
  path: string,
  rawBody: string,
  headers: Record<string, string> = { "content-type": "application/json" },
) => app.request(path, { method: "POST", rawBody, headers, token: user.accessToken });

describe("health", () => {
  it("/healthz is 200 and /readyz is 200 while the database answers", async () => {
    expect((await app.request("/healthz")).body).toEqual({ status: "ok" });
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: "ready", database: "up", engine: app.database });
    // The embedded database's folder is for the operator's log, not for anonymous callers.
    expect(ready.text).not.toContain("memory://");
    expect(ready.text).not.toContain("dataDir");
  });
});

describe("bad requests", () => {
  it("malformed JSON → 400 with the error body, no stack", async () => {
    const res = await post(`/api/v1/${user.id}/tasks`, '{"title": "oops",');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "MALFORMED_JSON", message: expect.any(String), details: [] } });
    expect(res.text).not.toMatch(/at .*\.js|SyntaxError|node_modules/);
  });

  it("body over 16 KiB → 413, and nothing is created", async () => {
    const res = await post(
      `/api/v1/${user.id}/tasks`,
      JSON.stringify({ title: "big", description: "x".repeat(17 * 1024) }),
    );
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    const list = await app.request(`/api/v1/${user.id}/tasks`, { token: user.accessToken });
    expect(list.body.items).toHaveLength(0);
  });

  it("a non-JSON content type → 415", async () => {
    const res = await post(`/api/v1/${user.id}/tasks`, "title=x", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("unknown routes → 404 JSON", async () => {
    const res = await app.request("/api/v1/nope/nope/nope");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
  });

  it("a hostile email or title never produces a 500", async () => {
    const inputs = ["'; DROP TABLE users; --", "\u0000", "😀".repeat(100), "<script>alert(1)</script>"];
    for (const s of inputs) {
      const reg = await app.request("/api/v1/auth/register", {
        method: "POST",
        body: { email: s, password: s.padEnd(8, "x") },
      });
      expect(reg.status).toBeLessThan(500);
      const task = await app.request(`/api/v1/${user.id}/tasks`, {
        method: "POST",
        token: user.accessToken,
        body: { title: s.slice(0, 200) },
      });
      expect(task.status).toBeLessThan(500);
      const login = await app.request("/api/v1/auth/login", {
        method: "POST",
        body: { email: s, password: s.padEnd(8, "x") },
      });
      expect(login.status).toBeLessThan(500);
    }
  });

  it("refuses NUL characters, which bcrypt would stop reading at, with 422", async () => {
    const res = await app.request("/api/v1/auth/register", {
      method: "POST",
      body: { email: "nul@example.com", password: "abcdefgh\u0000ignored" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ field: "password" }));
  });
});

describe("hardening", () => {
  it("sends security headers and no X-Powered-By", async () => {
    const res = await app.request("/healthz");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    expect(res.headers.get("content-security-policy")).toContain("default-src");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });

  it("echoes a sane X-Request-Id and makes one up otherwise", async () => {
    const echoed = await app.request("/healthz", { headers: { "x-request-id": "trace-123" } });
    expect(echoed.headers.get("x-request-id")).toBe("trace-123");
    const made = await app.request("/healthz", { headers: { "x-request-id": "bad id with spaces" } });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("allows CORS only for the configured origins", async () => {
    const allowed = await app.request("/api/v1/auth/login", {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const denied = await app.request("/api/v1/auth/login", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.com", "access-control-request-method": "POST" },
    });
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("JSON responses", () => {
  it("say UTF-8, count the body in bytes, and answer HEAD with the same headers and no body", async () => {
    const path = `/api/v1/${user.id}/tasks`;
    const created = await app.request(path, {
      method: "POST",
      token: user.accessToken,
      body: { title: "Ünïcødé 🎉 ✓", description: "é".repeat(900) },
    });
    expect(created.status).toBe(201);
    const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${user.accessToken}` } });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
    expect(bytes.length).toBeGreaterThan(bytes.toString("utf8").length);
    const items: { id: string; title: string }[] = JSON.parse(bytes.toString("utf8")).items;
    expect(items.find((task) => task.id === created.body.id)?.title).toBe("Ünïcødé 🎉 ✓");

    const head = await fetch(`${app.url}${path}/${created.body.id}`, {
      method: "HEAD",
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(Number(head.headers.get("content-length"))).toBeGreaterThan(100);
    expect(await head.text()).toBe("");
  });

  it("a 304 carries no body and no content headers", async () => {
    const path = `/api/v1/${user.id}/tasks`;
    const created = await app.request(path, { method: "POST", token: user.accessToken, body: { title: "cached" } });
    const etag = created.headers.get("etag")!;
    const res = await fetch(`${app.url}${path}/${created.body.id}`, {
      headers: { authorization: `Bearer ${user.accessToken}`, "if-none-match": etag },
    });
    expect(res.status).toBe(304);
    expect(res.headers.get("content-type")).toBeNull();
    expect(res.headers.get("content-length")).toBeNull();
    expect(res.headers.get("etag")).toBe(etag);
    expect(await res.text()).toBe("");
  });
});
