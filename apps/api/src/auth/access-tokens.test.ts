import jwt from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import { AccessTokens, TokenRejectedError } from "./access-tokens.js";

const secret = "unit-test-secret-unit-test-secret-!!";
const tokens = new AccessTokens(secret, 3600);

function reason(token: string): string {
  try {
    tokens.verify(token);
    return "accepted";
  } catch (err) {
    return err instanceof TokenRejectedError ? err.reason : "other error";
  }
}

describe("AccessTokens", () => {
  it("signs HS256 tokens with sub, email, sid, iat and exp", () => {
    const token = tokens.sign({ userId: "u1", email: "a@b.c", sessionId: "s1" });
    const [header] = token.split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "HS256", typ: "JWT" });
    const payload = jwt.verify(token, secret) as jwt.JwtPayload;
    expect(payload).toMatchObject({ sub: "u1", email: "a@b.c", sid: "s1" });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(tokens.verify(token)).toMatchObject({ userId: "u1", email: "a@b.c", sessionId: "s1" });
  });

  it("classifies every rejection", () => {
    const now = Math.floor(Date.now() / 1000);
    expect(reason(jwt.sign({ sub: "u" }, "other-secret", { expiresIn: 60 }))).toBe("invalid_signature");
    expect(reason(jwt.sign({ sub: "u" }, secret, { algorithm: "HS512", expiresIn: 60 }))).toBe("wrong_algorithm");
    expect(reason(jwt.sign({ sub: "u", exp: now - 10 }, secret))).toBe("expired");
    expect(reason(jwt.sign({ sub: "u", nbf: now + 600 }, secret, { expiresIn: 3600 }))).toBe("not_yet_valid");
    expect(reason(jwt.sign({ sub: "u" }, secret))).toBe("missing_exp");
    expect(reason(jwt.sign({ foo: 1 }, secret, { expiresIn: 60 }))).toBe("missing_sub");
    expect(reason(jwt.sign({ sub: "x".repeat(256) }, secret, { expiresIn: 60 }))).toBe("missing_sub");
    expect(reason("not.a.jwt")).toBe("malformed_token");
  });
});
