import { signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ LOG_LEVEL: "debug" });
});
afterAll(() => app.close());

const entries = () => app.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

describe("security logging", () => {
  it("logs failed authentication at WARN with reason, route and address, never the token", async () => {
    const badToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    await app.request("/api/v1/auth/me", { token: badToken, headers: { "x-forwarded-for": "203.0.113.7" } });
    const warn = entries().find((e) => e.msg === "authentication failed" && e.ip === "203.0.113.7");
    expect(warn).toMatchObject({
      level: "warn",
      reason: "invalid_signature",
      route: expect.stringContaining("/api/v1/auth/me"),
      reqId: expect.any(String),
    });
    expect(app.logs.join("\n")).not.toContain(badToken);
  });

  it("logs a wrong password without the password or email secrets", async () => {
    const user = await signUp(app);
    const secret = "my very secret wrong password";
    await app.request("/api/v1/auth/login", {
      method: "POST",
      body: { email: user.email, password: secret },
      headers: { "x-forwarded-for": "198.51.100.9" },
    });
    const warn = entries().find((e) => e.reason === "wrong_password" && e.ip === "198.51.100.9");
    expect(warn?.level).toBe("warn");
    const all = app.logs.join("\n");
    expect(all).not.toContain(secret);
    expect(all).not.toContain(user.password);
    expect(all).not.toContain(user.refreshToken);
    expect(all).not.toContain(user.accessToken);
  });

  it("tags every request line with its request id", async () => {
    await app.request("/healthz", { headers: { "x-request-id": "req-abc-123" } });
    expect(entries().find((e) => e.reqId === "req-abc-123" && e.msg === "request completed")).toMatchObject({
      status: 200,
      path: "/healthz",
    });
  });

  it("redacts secrets wherever a log call puts them", async () => {
    const { createLogger } = await import("../lib/logger.js");
    const lines: string[] = [];
    const log = createLogger("info", { write: (l: string) => void lines.push(l) });
    log.info(
      {
        req: { headers: { authorization: "Bearer abc.def.ghi" } },
        body: { password: "hunter22", refreshToken: "rt-secret" },
      },
      "x",
    );
    expect(lines.join("")).not.toMatch(/abc\.def\.ghi|hunter22|rt-secret/);
    expect(lines.join("")).toContain("[REDACTED]");
  });
});
