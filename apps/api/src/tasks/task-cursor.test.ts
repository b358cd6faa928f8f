import { describe, expect, it } from "vitest";
import { AppError } from "../errors/app-error.js";
import { decodeTaskCursor, encodeTaskCursor } from "./task-cursor.js";

describe("task cursors", () => {
  it("round-trips createdAt (ms precision) and id", () => {
    const cursor = { createdAt: new Date("2026-01-02T03:04:05.678Z"), id: "0b8f3c1e-1f0e-4a43-9a70-8f7a1f0c3d2b" };
    expect(decodeTaskCursor(encodeTaskCursor(cursor))).toEqual(cursor);
  });

  it.each([
    "",
    "!!!",
    Buffer.from("abc:def").toString("base64url"),
    Buffer.from("12:not-a-uuid").toString("base64url"),
  ])("rejects %j as a 422 on the cursor parameter", (raw) => {
    try {
      decodeTaskCursor(raw);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(422);
      expect((err as AppError).details[0]).toMatchObject({ location: "query", field: "cursor" });
    }
  });
});
