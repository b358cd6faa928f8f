import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next-path";

describe("safeNextPath", () => {
  it.each([
    ["/tasks?filter=active", "/tasks?filter=active"],
    ["/tasks", "/tasks"],
    [null, "/tasks"],
    ["", "/tasks"],
    ["https://evil.example/", "/tasks"],
    ["//evil.example/", "/tasks"],
    ["/\\evil.example/", "/tasks"],
    ["javascript:alert(1)", "/tasks"],
    ["/\t/evil.example/", "/tasks"],
    ["/\n/evil.example/", "/tasks"],
    ["/tasks\\..\\", "/tasks"],
  ])("%s -> %s", (next, path) => {
    expect(safeNextPath(next)).toBe(path);
  });
});
