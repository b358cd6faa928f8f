import { describe, expect, it } from "vitest";
import { describeWait, fieldErrorsFrom, messageForStatus } from "./api-messages";

describe("API messages", () => {
  it("groups 422 details by the field they concern", () => {
    expect(
      fieldErrorsFrom([
        { field: "title", message: "Must not be empty" },
        { field: "title", message: "Must not contain NUL characters" },
        { field: "description", message: "Must be at most 1000 characters" },
        { field: "", message: "Unrecognized key: id" },
      ]),
    ).toEqual({
      title: ["Must not be empty", "Must not contain NUL characters"],
      description: ["Must be at most 1000 characters"],
      _form: ["Unrecognized key: id"],
    });
  });

  it.each([
    ["1", "1 second"],
    ["42", "42 seconds"],
    ["61", "2 minutes"],
    ["900", "15 minutes"],
    ["3600", "1 hour"],
    ["7200", "2 hours"],
    [null, "a little while"],
    ["soon", "a little while"],
  ])("Retry-After %s reads as %s", (header, text) => {
    expect(describeWait(header)).toBe(text);
  });

  it("says how long to wait after a 429", () => {
    expect(messageForStatus(429, new Headers({ "retry-after": "900" }))).toBe(
      "Too many attempts. Please try again in 15 minutes.",
    );
  });
});
