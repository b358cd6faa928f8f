import { createHmac, KeyObject, sign } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, type GenerateKeyPairResult, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessTokens, OWN_TOKEN_AUDIENCE, OWN_TOKEN_ISSUER } from "./access-tokens.js";
import { RemoteKeySet } from "./remote-key-set.js";
import { KeySetUnavailableError, TokenRejectedError, TokenVerifier, type VerifiedToken } from "./token-verifier.js";

const secret = "unit-test-secret-unit-test-secret-!!";
const ISSUER = "https://app.example";
const now = () => Math.floor(Date.now() / 1000);

type Alg = "EdDSA" | "ES256" | "ES512" | "RS256" | "PS256";
const ALGS: Alg[] = ["EdDSA", "ES256", "ES512", "RS256", "PS256"];
const pairs = new Map<Alg, GenerateKeyPairResult>();
let served: object[] = [];
let server: Server;
let jwksUrl: string;
let requests = 0;

beforeAll(async () => {
  for (const alg of ALGS) pairs.set(alg, await generateKeyPair(alg, { extractable: true }));
  served = await Promise.all(
    ALGS.map(async (alg) => ({ ...(await exportJWK(pairs.get(alg)!.publicKey)), alg, kid: `k-${alg}` })),
  );
  server = createServer((_req, res) => {
    requests += 1;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/jwks`;
});
afterAll(() => server.close());

function external(alg: Alg, payload: JWTPayload = {}, header: Record<string, unknown> = {}) {
  return new SignJWT({ email: "Someone@Example.com", emailVerified: true, ...payload })
    .setProtectedHeader({ alg, kid: `k-${alg}`, ...header })
    .setSubject((payload.sub as string) ?? "ba-user-1")
    .setIssuer((payload.iss as string) ?? ISSUER)
    .setAudience((payload.aud as string) ?? ISSUER)
    .setIssuedAt((payload.iat as number) ?? now())
    .setExpirationTime((payload.exp as number) ?? now() + 900)
    .sign(pairs.get(alg)!.privateKey);
}

const ownClaims = (extra: object = {}) => ({ sid: "s1", iss: OWN_TOKEN_ISSUER, aud: OWN_TOKEN_AUDIENCE, ...extra });
const hs = (payload: object, options: jwt.SignOptions = {}) =>
  jwt.sign(payload, secret, { expiresIn: 3600, ...options });

function verifier(options: { keySet?: RemoteKeySet; issuer?: string; audience?: string } = {}) {
  return new TokenVerifier({
    secret,
    external: { issuer: options.issuer, audience: options.audience },
    keySet: options.keySet,
  });
}
const jwksVerifier = () =>
  verifier({ issuer: ISSUER, audience: ISSUER, keySet: new RemoteKeySet({ url: jwksUrl, cooldownMs: 60_000 }) });

async function outcome(v: TokenVerifier, token: string | Promise<string>): Promise<string | VerifiedToken> {
  try {
    return await v.verify(await token);
  } catch (err) {
    if (err instanceof TokenRejectedError) return err.reason;
    if (err instanceof KeySetUnavailableError) return "unavailable";
    throw err;
  }
}

describe("TokenVerifier: the API's own tokens", () => {
  const tokens = new AccessTokens(secret, 3600);

  it("accepts what AccessTokens signs, as the API's own kind", async () => {
    const token = tokens.sign({ userId: "u1", email: "a@b.c", signInId: "s1" });
    expect(jwt.decode(token)).toMatchObject({ iss: OWN_TOKEN_ISSUER, aud: OWN_TOKEN_AUDIENCE, sid: "s1" });
    expect(await outcome(verifier(), token)).toMatchObject({ kind: "own", userId: "u1", signInId: "s1" });
  });

  it("classifies every rejection", async () => {
    const v = verifier();
    expect(await outcome(v, jwt.sign({ sub: "u", ...ownClaims() }, "other-secret", { expiresIn: 60 }))).toBe(
      "invalid_signature",
    );
    expect(await outcome(v, hs({ sub: "u", ...ownClaims() }, { algorithm: "HS512" }))).toBe("wrong_algorithm");
    expect(await outcome(v, jwt.sign({ sub: "u", ...ownClaims(), exp: now() - 10 }, secret))).toBe("expired");
    expect(await outcome(v, hs({ sub: "u", ...ownClaims(), nbf: now() + 600 }))).toBe("not_yet_valid");
    expect(await outcome(v, jwt.sign({ sub: "u", ...ownClaims() }, secret))).toBe("missing_exp");
    expect(await outcome(v, hs(ownClaims()))).toBe("missing_sub");
    expect(await outcome(v, hs({ sub: "x".repeat(256), ...ownClaims() }))).toBe("missing_sub");
    expect(await outcome(v, hs({ sub: "u", ...ownClaims({ sid: undefined }) }))).toBe("missing_sid");
    expect(await outcome(v, hs({ sub: "u", ...ownClaims({ aud: "someone-else" }) }))).toBe("wrong_audience");
    expect(await outcome(v, "not.a.jwt")).toBe("malformed_token");
    const unsigned = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(
      JSON.stringify({ sub: "u", ...ownClaims(), exp: now() + 60 }),
    ).toString("base64url")}.`;
    expect(await outcome(v, unsigned)).toBe("wrong_algorithm");
  });

  it("refuses a crit header parameter it does not understand (RFC 7515 §4.1.11)", async () => {
    const token = hs({ sub: "u", ...ownClaims() }, { header: { alg: "HS256", crit: ["exp-ext"] } as never });
    expect(await outcome(verifier(), token)).toBe("unsupported_critical_header");
  });

  it("refuses an iat more than a minute in the future, allows small clock skew", async () => {
    expect(await outcome(verifier(), hs({ sub: "u", ...ownClaims(), iat: now() + 120 }))).toBe("issued_in_future");
    expect(await outcome(verifier(), hs({ sub: "u", ...ownClaims(), iat: now() + 30 }))).toMatchObject({
      kind: "own",
    });
    // jsonwebtoken refuses to sign that, so the token is made by hand.
    const body = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
    const unsigned = `${body({ alg: "HS256" })}.${body({ sub: "u", ...ownClaims(), iat: "yesterday", exp: now() + 60 })}`;
    const signature = createHmac("sha256", secret).update(unsigned).digest("base64url");
    expect(await outcome(verifier(), `${unsigned}.${signature}`)).toBe("malformed_token");
  });

  it("answers a token it verified before from memory until its exp, and only that exact token", async () => {
    let clock = now();
    const v = new TokenVerifier({ secret, external: { issuer: undefined, audience: undefined }, now: () => clock });
    const token = jwt.sign({ sub: "u", ...ownClaims(), iat: clock, exp: clock + 10 }, secret);
    const first = await outcome(v, token);
    expect(first).toMatchObject({ kind: "own", userId: "u", signInId: "s1" });
    // The very object of the first verification (frozen): answered from memory.
    expect(await outcome(v, token)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // One character of the signature changed: not the remembered token, so verified in full, and refused.
    const last = token.at(-1) === "A" ? "B" : "A";
    expect(await outcome(v, `${token.slice(0, -1)}${last}`)).toBe("invalid_signature");
    clock += 9;
    expect(await outcome(v, token)).toBe(first);
    clock += 1; // at exp, as jsonwebtoken counts it
    expect(await outcome(v, token)).toBe("expired");
    expect(await outcome(v, token)).toBe("expired");
    clock -= 5; // a clock set back: verified in full again (a new object), and accepted as before
    const again = await outcome(v, token);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });

  it("refuses a remembered token again once the clock is set back before its nbf or iat", async () => {
    let clock = now();
    const v = new TokenVerifier({ secret, external: { issuer: undefined, audience: undefined }, now: () => clock });
    const notBefore = jwt.sign({ sub: "u", ...ownClaims(), iat: clock, nbf: clock, exp: clock + 600 }, secret);
    const issued = jwt.sign({ sub: "u", ...ownClaims(), iat: clock + 60, exp: clock + 600 }, secret);
    expect(await outcome(v, notBefore)).toMatchObject({ kind: "own" });
    expect(await outcome(v, issued)).toMatchObject({ kind: "own" });
    clock -= 1;
    expect(await outcome(v, notBefore)).toBe("not_yet_valid");
    expect(await outcome(v, issued)).toBe("issued_in_future");
  });

  it("never remembers a token from the key set", async () => {
    const v = jwksVerifier();
    const token = await external("EdDSA");
    const first = await outcome(v, token);
    expect(first).toMatchObject({ kind: "external", userId: "ba-user-1" });
    const second = await outcome(v, token);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
  });

  it.each([
    ["a slash", "a/b"],
    ["a space", "a b"],
    ["a tab", "a\tb"],
    ["a newline", "a\nb"],
    ["NUL", "a\u0000b"],
    ["DEL", "a\u007fb"],
    ["a C1 control", "a\u0085b"],
    ["a no-break space", "a\u00a0b"],
    ["a lone surrogate", "a\ud800b"],
  ])("refuses a sub containing %s", async (_what, sub) => {
    expect(await outcome(verifier(), hs({ sub, ...ownClaims() }))).toBe("missing_sub");
    expect(await outcome(verifier(), hs({ sub }))).toBe("missing_sub");
  });
});

describe("TokenVerifier: external tokens", () => {
  it("accepts shared-secret HS256 tokens of another issuer, and keeps only a verified email", async () => {
    const v = verifier();
    expect(await outcome(v, hs({ sub: "ba-1", email: "a@b.c", emailVerified: true }))).toEqual(
      expect.objectContaining({ kind: "external", userId: "ba-1", verifiedEmail: "a@b.c" }),
    );
    expect(await outcome(v, hs({ sub: "ba-1", email: "a@b.c", emailVerified: false }))).toMatchObject({
      verifiedEmail: undefined,
    });
    expect(await outcome(v, hs({ sub: "ba-1", email: "a@b.c" }))).toMatchObject({ verifiedEmail: undefined });
    expect(await outcome(v, hs({ sub: "ba-1", email: "a@b.c", email_verified: true }))).toMatchObject({
      verifiedEmail: "a@b.c",
    });
  });

  it("never takes the API's own audience for an external token, nor a token without sid for an own one", async () => {
    expect(await outcome(verifier(), hs({ sub: "u", aud: OWN_TOKEN_AUDIENCE }))).toBe("wrong_audience");
    expect(await outcome(verifier(), hs({ sub: "u", iss: OWN_TOKEN_ISSUER, aud: OWN_TOKEN_AUDIENCE }))).toBe(
      "missing_sid",
    );
  });

  it("checks a configured issuer and audience on shared-secret tokens", async () => {
    const v = verifier({ issuer: ISSUER, audience: ISSUER });
    expect(await outcome(v, hs({ sub: "u", iss: ISSUER, aud: ISSUER }))).toMatchObject({ kind: "external" });
    expect(await outcome(v, hs({ sub: "u", iss: ISSUER, aud: [ISSUER, "x"] }))).toMatchObject({ kind: "external" });
    expect(await outcome(v, hs({ sub: "u", iss: "https://evil.example", aud: ISSUER }))).toBe("wrong_issuer");
    expect(await outcome(v, hs({ sub: "u", aud: ISSUER }))).toBe("wrong_issuer");
    expect(await outcome(v, hs({ sub: "u", iss: ISSUER, aud: "https://other.example" }))).toBe("wrong_audience");
    expect(await outcome(v, hs({ sub: "u", iss: ISSUER }))).toBe("wrong_audience");
    // The API's own tokens keep working beside them.
    expect(
      await outcome(v, new AccessTokens(secret, 60).sign({ userId: "u", email: null, signInId: "s" })),
    ).toMatchObject({ kind: "own" });
  });

  it.each(ALGS)("verifies %s tokens from the key set, picked by kid", async (alg) => {
    expect(await outcome(jwksVerifier(), external(alg))).toEqual({
      kind: "external",
      userId: "ba-user-1",
      verifiedEmail: "Someone@Example.com",
      expiresAt: expect.any(Number),
    });
  });

  it("refuses key-set tokens with the wrong issuer, audience, kid, time or header", async () => {
    const v = jwksVerifier();
    const other = await generateKeyPair("EdDSA");
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: "EdDSA", kid: "k-EdDSA" })
      .setSubject("u")
      .setIssuer(ISSUER)
      .setAudience(ISSUER)
      .setExpirationTime(now() + 60)
      .sign(other.privateKey);
    expect(await outcome(v, forged)).toBe("invalid_signature");
    expect(await outcome(v, external("EdDSA", { iss: "https://evil.example" }))).toBe("wrong_issuer");
    expect(await outcome(v, external("EdDSA", { iss: OWN_TOKEN_ISSUER, aud: OWN_TOKEN_AUDIENCE, sid: "s" }))).toBe(
      "wrong_issuer",
    );
    expect(await outcome(v, external("EdDSA", { aud: "https://other.example" }))).toBe("wrong_audience");
    expect(await outcome(v, external("EdDSA", { exp: now() - 5, iat: now() - 905 }))).toBe("expired");
    expect(await outcome(v, external("EdDSA", { iat: now() + 300 }))).toBe("issued_in_future");
    expect(await outcome(v, external("EdDSA", {}, { kid: "nobody" }))).toBe("unknown_key");
    // jose will not sign a header it does not understand either: signed by hand.
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const input = `${part({ alg: "EdDSA", kid: "k-EdDSA", crit: ["x-ext"], "x-ext": 1 })}.${part({
      sub: "u",
      iss: ISSUER,
      aud: ISSUER,
      exp: now() + 60,
    })}`;
    const signature = sign(null, Buffer.from(input), KeyObject.from(pairs.get("EdDSA")!.privateKey));
    expect(await outcome(v, `${input}.${signature.toString("base64url")}`)).toBe("unsupported_critical_header");
    expect(await outcome(v, external("EdDSA", { sub: "a b" }))).toBe("missing_sub");
  });

  it("refuses asymmetric tokens when no key set is configured", async () => {
    expect(await outcome(verifier({ issuer: ISSUER, audience: ISSUER }), external("EdDSA"))).toBe("wrong_algorithm");
  });

  it("refuses to run with the API's own issuer as the external one", () => {
    expect(() => verifier({ issuer: OWN_TOKEN_ISSUER })).toThrow(/must differ/);
  });
});

describe("RemoteKeySet", () => {
  it("fetches once for a storm of unknown kids, then only after the cooldown", async () => {
    let clock = 1_000_000;
    const keySet = new RemoteKeySet({ url: jwksUrl, cooldownMs: 10_000, now: () => clock });
    const v = verifier({ issuer: ISSUER, audience: ISSUER, keySet });
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => external("EdDSA", {}, { kid: `nope-${i}` })));
    const results = await Promise.all(tokens.map((t) => outcome(v, t)));
    expect(new Set(results)).toEqual(new Set(["unknown_key"]));
    expect(keySet.fetchCount).toBe(1);
    clock += 10_001;
    expect(await outcome(v, tokens[0]!)).toBe("unknown_key");
    expect(keySet.fetchCount).toBe(2);
  });

  it("finds a rotated-in key by refetching, and keeps known keys while the set is unreachable", async () => {
    let clock = 2_000_000;
    let reachable = true;
    let keys = served.filter((k) => (k as { alg: string }).alg === "EdDSA");
    const local = createServer((_req, res) => {
      if (!reachable) {
        res.statusCode = 502;
        res.end();
        return;
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((done) => local.listen(0, "127.0.0.1", done));
    const errors: unknown[] = [];
    const keySet = new RemoteKeySet({
      url: `http://127.0.0.1:${(local.address() as AddressInfo).port}/`,
      cooldownMs: 10_000,
      maxAgeMs: 60_000,
      now: () => clock,
      onFetchError: (err) => errors.push(err),
    });
    const v = verifier({ issuer: ISSUER, audience: ISSUER, keySet });
    try {
      expect(await outcome(v, external("EdDSA"))).toMatchObject({ kind: "external" });
      // Rotation: a new key appears in the set; its first token triggers a fetch (after the cooldown).
      keys = served.filter((k) => ["EdDSA", "ES256"].includes((k as { alg: string }).alg));
      clock += 10_001;
      expect(await outcome(v, external("ES256"))).toMatchObject({ kind: "external" });
      expect(keySet.fetchCount).toBe(2);

      reachable = false;
      clock += 120_000; // stale: the next token refreshes in the background, and that fails
      expect(await outcome(v, external("EdDSA"))).toMatchObject({ kind: "external" });
      await new Promise((r) => setTimeout(r, 50));
      expect(errors).toHaveLength(1);
      expect(await outcome(v, external("ES256"))).toMatchObject({ kind: "external" });
      // An unknown key while the set is unreachable: try again later, not "invalid token".
      const err = await v.verify(await external("PS256")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeySetUnavailableError);
      expect((err as KeySetUnavailableError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((err as KeySetUnavailableError).retryAfterSeconds).toBeLessThanOrEqual(10);
      expect(keySet.fetchCount).toBe(3); // within the cooldown of the failed refresh: no new fetch
      clock += 10_001;
      expect(await outcome(v, external("PS256"))).toBe("unavailable");
      expect(keySet.fetchCount).toBe(4);

      reachable = true;
      clock += 10_001;
      expect(await outcome(v, external("PS256"))).toBe("unknown_key"); // the set answered: PS256 is not in it
      // A key removed from the set stops working once the set is fetched again.
      keys = [];
      clock += 60_001;
      await outcome(v, external("EdDSA")); // triggers the background refresh
      await new Promise((r) => setTimeout(r, 50));
      expect(await outcome(v, external("EdDSA"))).toBe("unknown_key");
    } finally {
      local.close();
    }
  });

  it("answers unavailable when the set was never reachable", async () => {
    const keySet = new RemoteKeySet({ url: "http://127.0.0.1:9/jwks", cooldownMs: 10_000 });
    const v = verifier({ issuer: ISSUER, audience: ISSUER, keySet });
    expect(await outcome(v, external("EdDSA"))).toBe("unavailable");
    expect(await outcome(v, external("EdDSA"))).toBe("unavailable");
    expect(keySet.fetchCount).toBe(1);
    expect(requests).toBeGreaterThanOrEqual(0);
  });
});
