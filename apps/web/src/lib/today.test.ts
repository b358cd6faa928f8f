import { describe, expect, it } from "vitest";
import { todayIn, validTimeZone } from "./today";

describe("today", () => {
  it("is the calendar date where the person is", () => {
    const now = new Date("2026-03-04T23:30:00Z");
    expect(todayIn(null, now)).toBe("2026-03-04");
    expect(todayIn("Asia/Tokyo", now)).toBe("2026-03-05");
    expect(todayIn("America/Los_Angeles", now)).toBe("2026-03-04");
  });

  it("accepts only real time zone names", () => {
    expect(validTimeZone("Europe/Paris")).toBe("Europe/Paris");
    expect(validTimeZone("Mars/Olympus")).toBeNull();
    expect(validTimeZone("UTC; Secure")).toBeNull();
    expect(validTimeZone("")).toBeNull();
  });
});
