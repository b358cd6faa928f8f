import { describe, expect, it } from "vitest";
import { parseDurationSeconds } from "./duration.js";

describe("parseDurationSeconds", () => {
  it.each([
    ["900", 900],
    ["90s", 90],
    ["15m", 900],
    ["24h", 86_400],
    ["30d", 2_592_000],
    [" 2H ", 7200],
  ])("%s → %d", (input, seconds) => expect(parseDurationSeconds(input)).toBe(seconds));

  it.each(["", "0", "-5m", "1.5h", "1w", "soon"])("rejects %j", (input) =>
    expect(parseDurationSeconds(input)).toBeUndefined(),
  );
});
