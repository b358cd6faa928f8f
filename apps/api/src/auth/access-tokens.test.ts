import jwt from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import { AccessTokens, OWN_TOKEN_AUDIENCE, OWN_TOKEN_ISSUER } from "./access-tokens.js";

const secret = "unit-test-secret-unit-test-secret-!!";

describe("AccessTokens", () => {
  it("signs HS256 tokens with sub, email, sid, the API's own iss and aud, iat and exp", () => {
    const token = new AccessTokens(secret, 3600).sign({ userId: "u1", email: "a@b.c", signInId: "s1" });
    const [header] = token.split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "HS256", typ: "JWT" });
    const payload = jwt.verify(token, secret) as jwt.JwtPayload;
    expect(payload).toMatchObject({ sub: "u1", email: "a@b.c", sid: "s1" });
    expect(payload).toMatchObject({ iss: OWN_TOKEN_ISSUER, aud: OWN_TOKEN_AUDIENCE });
    expect(payload.exp! - payload.iat!).toBe(3600);
  });
});
