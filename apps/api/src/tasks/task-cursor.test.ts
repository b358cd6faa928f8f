import { describe, expect, it } from "vitest";
import { AppError } from "../errors/app-error.js";
import { decodeTaskCursor, encodeTaskCursor, type TaskCursor } from "./task-cursor.js";

const tie = { position: "a0V", id: "0b8f3c1e-1f0e-4a43-9a70-8f7a1f0c3d2b" };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("task cursors", () => {
  it.each<TaskCursor>([
    { sort: "manual", ...tie },
    { sort: "created", key: new Date("2026-01-02T03:04:05.678Z"), ...tie },
    { sort: "updated", key: new Date("2026-01-02T03:04:05.678Z"), ...tie },
    { sort: "priority", key: 3, ...tie },
    { sort: "due", key: "2026-12-24", ...tie },
    { sort: "due", key: null, ...tie },
  ])("round-trips the keys of sort=$sort", (cursor) => {
    expect(decodeTaskCursor(encodeTaskCursor(cursor), cursor.sort)).toEqual(cursor);
  });

  it.each([
    ["", "manual"],
    ["!!!", "manual"],
    [Buffer.from("abc:def").toString("base64url"), "manual"],
    [b64(["manual", "a0", "not-a-uuid"]), "manual"],
    [b64(["manual", "a 0", tie.id]), "manual"],
    [b64(["manual", tie.position, tie.id]), "due"],
    [b64(["created", "yesterday", tie.position, tie.id]), "created"],
    [b64(["created", 1e20, tie.position, tie.id]), "created"],
    [b64(["priority", 7, tie.position, tie.id]), "priority"],
    [b64(["due", "2026-02-30", tie.position, tie.id]), "due"],
    [b64({ sort: "manual" }), "manual"],
  ] as const)("rejects %j (sort=%s) as a 422 on the cursor parameter", (raw, sort) => {
    try {
      decodeTaskCursor(raw, sort);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(422);
      expect((err as AppError).details[0]).toMatchObject({ location: "query", field: "cursor" });
    }
  });
});
