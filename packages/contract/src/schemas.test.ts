import { describe, expect, it } from "vitest";
import { LoginBodySchema, RegisterBodySchema } from "./auth.js";
import { describeErrorStatus, ERROR_CODES, ERROR_STATUS } from "./errors.js";
import { ListBodySchema } from "./lists.js";
import {
  ClearCompletedQuerySchema,
  CreateTaskBodySchema,
  ListTasksQuerySchema,
  MoveTaskBodySchema,
  UpdateTaskBodySchema,
} from "./tasks.js";

describe("auth schemas", () => {
  it("trims and lower-cases emails", () => {
    expect(RegisterBodySchema.parse({ email: "  Ada@Example.COM ", password: "12345678" }).email).toBe(
      "ada@example.com",
    );
    expect(LoginBodySchema.parse({ email: " ADA@example.com", password: "x" }).email).toBe("ada@example.com");
  });

  it("counts password length in characters and bytes", () => {
    const ok = (password: string) => RegisterBodySchema.safeParse({ email: "a@b.co", password }).success;
    expect(ok("1234567")).toBe(false);
    expect(ok("12345678")).toBe(true);
    expect(ok("😀".repeat(8))).toBe(true); // 8 characters, 32 bytes
    expect(ok("😀".repeat(18))).toBe(true); // 72 bytes
    expect(ok(`${"😀".repeat(18)}a`)).toBe(false); // 73 bytes
    expect(ok("abcdefgh\u0000")).toBe(false);
  });

  it("refuses unknown fields", () => {
    expect(RegisterBodySchema.safeParse({ email: "a@b.co", password: "12345678", admin: true }).success).toBe(false);
  });
});

describe("task schemas", () => {
  it("trims titles and refuses blank ones", () => {
    expect(CreateTaskBodySchema.parse({ title: "  x  " }).title).toBe("x");
    expect(CreateTaskBodySchema.safeParse({ title: " \t " }).success).toBe(false);
  });

  it("needs at least one field to update, and keeps null descriptions", () => {
    expect(UpdateTaskBodySchema.safeParse({}).success).toBe(false);
    expect(UpdateTaskBodySchema.parse({ description: null })).toEqual({ description: null });
    expect(UpdateTaskBodySchema.safeParse({ userId: "x", title: "t" }).success).toBe(false);
  });

  it("parses list queries with defaults and bounds", () => {
    expect(ListTasksQuerySchema.parse({})).toEqual({ limit: 50, sort: "manual" });
    expect(ListTasksQuerySchema.parse({ completed: "false", limit: "100" })).toEqual({
      completed: false,
      limit: 100,
      sort: "manual",
    });
    expect(ListTasksQuerySchema.safeParse({ limit: "101" }).success).toBe(false);
    expect(ListTasksQuerySchema.safeParse({ completed: "1" }).success).toBe(false);
  });
});

describe("organising schemas", () => {
  it("accepts only real calendar dates", () => {
    const ok = (dueDate: unknown) => CreateTaskBodySchema.safeParse({ title: "t", dueDate }).success;
    expect(ok("2026-12-24")).toBe(true);
    expect(ok("2028-02-29")).toBe(true);
    expect(ok(null)).toBe(true);
    for (const bad of ["2027-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "0000-01-01", "2026-12-24T00:00"]) {
      expect(ok(bad), bad).toBe(false);
    }
  });

  it("takes list ids, priorities and sorts from their sets", () => {
    expect(CreateTaskBodySchema.safeParse({ title: "t", listId: "nope" }).success).toBe(false);
    expect(CreateTaskBodySchema.safeParse({ title: "t", priority: "urgent" }).success).toBe(false);
    expect(UpdateTaskBodySchema.parse({ listId: null })).toEqual({ listId: null });
    expect(ListTasksQuerySchema.parse({ listId: "none", sort: "due" })).toMatchObject({ listId: "none", sort: "due" });
    expect(ListTasksQuerySchema.safeParse({ sort: "title" }).success).toBe(false);
    expect(ListTasksQuerySchema.safeParse({ q: "" }).success).toBe(false);
    expect(ListTasksQuerySchema.safeParse({ q: "x".repeat(201) }).success).toBe(false);
  });

  it("clears only with completed=true", () => {
    expect(ClearCompletedQuerySchema.safeParse({}).success).toBe(false);
    expect(ClearCompletedQuerySchema.safeParse({ completed: "false" }).success).toBe(false);
    expect(ClearCompletedQuerySchema.parse({ completed: "true" })).toEqual({ completed: "true" });
  });

  it("trims list names and refuses blank or long ones", () => {
    expect(ListBodySchema.parse({ name: "  Home " })).toEqual({ name: "Home" });
    expect(ListBodySchema.safeParse({ name: "  " }).success).toBe(false);
    expect(ListBodySchema.safeParse({ name: "x".repeat(101) }).success).toBe(false);
    expect(MoveTaskBodySchema.safeParse({}).success).toBe(false);
  });
});

describe("error codes", () => {
  it("map to the statuses SPEC.md gives", () => {
    expect(ERROR_STATUS).toMatchObject({
      MALFORMED_JSON: 400,
      BAD_REQUEST: 400,
      UNAUTHORIZED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      EMAIL_TAKEN: 409,
      LIST_NAME_TAKEN: 409,
      QUOTA_EXCEEDED: 409,
      PAYLOAD_TOO_LARGE: 413,
      VALIDATION_FAILED: 422,
      RATE_LIMITED: 429,
      SERVICE_UNAVAILABLE: 503,
      INVALID_RESET_TOKEN: 400,
      MAIL_UNAVAILABLE: 503,
    });
  });

  it("describe each status from the one code table", () => {
    expect(describeErrorStatus(404)).toBe(`\`NOT_FOUND\`: ${ERROR_CODES.NOT_FOUND.description}`);
    expect(describeErrorStatus(401)).toContain("`INVALID_CREDENTIALS`");
    expect(describeErrorStatus(401, ["UNAUTHORIZED"])).not.toContain("INVALID_CREDENTIALS");
    expect(describeErrorStatus(418)).toBeUndefined();
    // One code, two statuses: a wrong password at login (401) and at a signed-in re-check (403).
    expect(describeErrorStatus(403)).toContain("`INVALID_CREDENTIALS`");
    expect(describeErrorStatus(403, ["FORBIDDEN"])).not.toContain("INVALID_CREDENTIALS");
  });
});

describe("display text (task titles and descriptions)", () => {
  const title = (t: string) => CreateTaskBodySchema.safeParse({ title: t });
  const description = (d: string) => CreateTaskBodySchema.safeParse({ title: "ok", description: d });

  it("refuses titles made only of invisible characters", () => {
    for (const t of ["\u200B", "\u200B\u200C\u200D\u2060\uFEFF", "\u3164", "\u2800\u2800", "\u00AD", "\u0301\u0302"]) {
      expect(title(t).success, JSON.stringify(t)).toBe(false);
    }
    expect(title("\u200Bx\u200B").success).toBe(true);
    for (const t of ["Buy milk", "买牛奶", "שלום", "مرحبا", "😀", "e\u0301"]) expect(title(t).success, t).toBe(true);
  });

  it("refuses bidirectional embedding, override and isolate controls anywhere", () => {
    for (const c of ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"]) {
      expect(title(`invoice${c}fdp.exe`).success).toBe(false);
      expect(description(`see ${c}here`).success).toBe(false);
    }
    // Direction marks cannot reorder text: right-to-left writers need them.
    expect(title("\u200Fשלום\u200F").success).toBe(true);
  });

  it("refuses lone surrogates (invalid UTF-16) and keeps well-formed pairs", () => {
    expect(title("a\uD800").success).toBe(false);
    expect(title("\uDC00b").success).toBe(false);
    expect(description("x\uD83D").success).toBe(false);
    expect(title("\uD83D\uDE00").success).toBe(true);
  });

  it("descriptions need a visible character when not empty, and may still be empty or null", () => {
    expect(description("\u200B\u200B").success).toBe(false);
    expect(description("").success).toBe(true);
    expect(CreateTaskBodySchema.safeParse({ title: "ok", description: null }).success).toBe(true);
    expect(UpdateTaskBodySchema.safeParse({ title: "\u202Egnp.exe" }).success).toBe(false);
  });

  it("reports each broken rule in the field's details", () => {
    const result = title("\u202E\uD800");
    expect(result.success).toBe(false);
    const messages = result.success ? [] : result.error.issues.map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/lone surrogates/), expect.stringMatching(/bidirectional/)]),
    );
  });
});
