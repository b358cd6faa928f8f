import { describe, expect, it } from "vitest";
import { clearSessionCookies, readSessionCookies, writeSessionCookies } from "./session-cookies";

describe("session cookies", () => {
  it("are __Host- cookies: httpOnly, Secure, SameSite=Lax, Path=/, no Domain; cleared with the same attributes", () => {
    const jar: [string, string, object][] = [];
    const writer = { set: (name: string, value: string, attributes: object) => jar.push([name, value, attributes]) };
    writeSessionCookies(writer, { accessToken: "a", refreshToken: "r" });
    clearSessionCookies(writer);
    const attributes = { httpOnly: true, sameSite: "lax", secure: true, path: "/" };
    expect(jar).toEqual([
      ["__Host-todo_access", "a", { ...attributes, maxAge: 2_592_000 }],
      ["__Host-todo_refresh", "r", { ...attributes, maxAge: 2_592_000 }],
      ["__Host-todo_access", "", { ...attributes, maxAge: 0 }],
      ["__Host-todo_refresh", "", { ...attributes, maxAge: 0 }],
    ]);
  });

  it("are read only as a complete pair, and never under names without the prefix", () => {
    const jar = (entries: Record<string, string>) => ({
      get: (name: string) => (name in entries ? { value: entries[name]! } : undefined),
    });
    expect(readSessionCookies(jar({ "__Host-todo_access": "a", "__Host-todo_refresh": "r" }))).toEqual({
      accessToken: "a",
      refreshToken: "r",
    });
    expect(readSessionCookies(jar({ "__Host-todo_access": "a" }))).toBeNull();
    expect(readSessionCookies(jar({ todo_access: "a", todo_refresh: "r" }))).toBeNull();
  });
});
