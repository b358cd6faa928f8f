import { describe, expect, it } from "vitest";
import { needsRenewal, readAccessClaims } from "./token-claims";

const token = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.signature`;
const now = 1_800_000_000;

describe("access token claims", () => {
  it("reads sub, email, exp and iat", () => {
    expect(readAccessClaims(token({ sub: "u1", email: "a@b.c", exp: now, iat: now - 10 }))).toEqual({
      sub: "u1",
      email: "a@b.c",
      exp: now,
      iat: now - 10,
    });
  });

  it.each(["", "abc", "a.!!!.c", token({ exp: now }), token({ sub: "u1" })])("treats %s as no token", (value) => {
    expect(readAccessClaims(value)).toBeNull();
  });

  it("renews a 24 h token in its last minute, and a 2 s token in its second half", () => {
    const day = token({ sub: "u", iat: now, exp: now + 86_400 });
    expect(needsRenewal(day, (now + 86_400 - 61) * 1000)).toBe(false);
    expect(needsRenewal(day, (now + 86_400 - 59) * 1000)).toBe(true);
    const short = token({ sub: "u", iat: now, exp: now + 2 });
    expect(needsRenewal(short, (now + 0.9) * 1000)).toBe(false);
    expect(needsRenewal(short, (now + 1.1) * 1000)).toBe(true);
    expect(needsRenewal("garbage", now * 1000)).toBe(true);
  });
});
