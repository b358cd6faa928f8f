import { describe, expect, it } from "vitest";
import { clearSession, isSecureContext, writeSession } from "./session-cookies";

describe("isSecureContext", () => {
  it.each([
    ["localhost:3001", null, false],
    ["127.0.0.1:3001", null, false],
    ["[::1]:3001", null, false],
    ["localhost:3001", "https", true],
    ["todo.example.com", null, true],
    ["todo.example.com", "http", true],
    ["192.168.1.20:3001", null, true],
    ["localhost.evil.example", null, true],
    [null, null, true],
  ])("host %s, forwarded proto %s: Secure = %s", (host, proto, secure) => {
    expect(isSecureContext(host, proto)).toBe(secure);
  });
});

describe("session cookies", () => {
  it("are httpOnly, SameSite=Lax, for the whole site, and cleared with the same attributes", () => {
    const jar: [string, string, object][] = [];
    const writer = { set: (name: string, value: string, attributes: object) => jar.push([name, value, attributes]) };
    writeSession(writer, { accessToken: "a", refreshToken: "r" }, true);
    clearSession(writer, true);
    expect(jar).toEqual([
      ["todo_access", "a", { httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge: 2_592_000 }],
      ["todo_refresh", "r", { httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge: 2_592_000 }],
      ["todo_access", "", { httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge: 0 }],
      ["todo_refresh", "", { httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge: 0 }],
    ]);
  });
});
