import { describe, expect, it } from "vitest";
import { describeDevice, relativeTime } from "./devices";

describe("describeDevice", () => {
  it("names common browsers and systems", () => {
    expect(
      describeDevice(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
      ),
    ).toBe("Chrome on Linux");
    expect(
      describeDevice(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
      ),
    ).toBe("Safari on iPhone");
    expect(describeDevice("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0")).toBe(
      "Firefox on Windows",
    );
    expect(describeDevice("node")).toBe("An app");
    expect(describeDevice(null)).toBe("Unknown device");
  });
});

describe("relativeTime", () => {
  const now = Date.parse("2026-01-10T12:00:00Z");
  it("says how long ago, whatever the reader's time zone", () => {
    expect(relativeTime("2026-01-10T11:59:30Z", now)).toBe("just now");
    expect(relativeTime("2026-01-10T11:55:00Z", now)).toBe("5 minutes ago");
    expect(relativeTime("2026-01-09T12:00:00Z", now)).toBe("yesterday");
    expect(relativeTime("2026-02-09T12:00:00Z", now)).toBe("next month");
    expect(relativeTime("not a date", now)).toBe("at an unknown time");
  });
});
