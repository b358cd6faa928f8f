import { createHmac, randomUUID } from "node:crypto";
import { type SignedUpUser, signUp, startTestApp, TEST_JWT_SECRET, type TestApp } from "@todo/test-kit";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOwnerGate } from "../tasks/owner-gate.js";
import { createTaskService } from "../tasks/task-service.js";

let app: TestApp;
let user: SignedUpUser;
beforeAll(async () => {
  app = await startTestApp();
  user = await signUp(app);
});
afterAll(() => app.close());

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);

/** Hand-built JWT, so tests can produce tokens no well-behaved library would. */
function forge(header: object, payload: object, secret: string | null = TEST_JWT_SECRET, alg = "sha256"): string {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  const signature = secret === null ? "" : createHmac(alg, secret).update(signingInput).digest("base64url");
  return `${signingInput}.${signature}`;
}

/** The claims of the user's own access token (its issuer, audience and sign-in), freshly dated. */
const claims = () => {
  const issued = jwt.decode(user.accessToken) as jwt.JwtPayload;
  return { sub: user.id, sid: issued.sid, iss: issued.iss, aud: issued.aud, iat: now(), exp: now() + 600 };
};

async function expectRejected(authorization: string | undefined, expectError = true) {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  for (const path of ["/api/v1/auth/me", `/api/v1/${user.id}/tasks`]) {
    const res = await app.request(path, { headers });
    expect(res.status, path).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHORIZED");
    const challenge = res.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer realm="todo-api"/);
    if (expectError) expect(challenge).toContain('error="invalid_token"');
  }
}

describe("access token attacks", () => {
  it("accepts a well-formed token (control)", async () => {
    const res = await app.request("/api/v1/auth/me", {
      headers: { authorization: `Bearer ${forge({ alg: "HS256", typ: "JWT" }, claims())}` },
    });
    expect(res.status).toBe(200);
  });

  it("no token → 401 with a bare Bearer challenge", async () => {
    await expectRejected(undefined, false);
  });

  it("wrong scheme or malformed header → 401", async () => {
    await expectRejected(`Basic ${Buffer.from("a:b").toString("base64")}`);
    await expectRejected("Bearer");
    await expectRejected(`Bearer ${user.accessToken} extra`);
    await expectRejected(`Token ${user.accessToken}`);
  });

  it("bad signature → 401", async () => {
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, claims(), "another-secret-of-some-length-xxxxxxxx")}`);
    const [h, p, s] = user.accessToken.split(".");
    const tamperedPayload = b64({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), sub: "someone-else" });
    await expectRejected(`Bearer ${h}.${tamperedPayload}.${s}`);
  });

  it('alg "none" → 401', async () => {
    await expectRejected(`Bearer ${forge({ alg: "none", typ: "JWT" }, claims(), null)}`);
    await expectRejected(`Bearer ${forge({ alg: "none" }, claims(), null)}.`);
  });

  it("other algorithms (HS384, HS512, RS256 header) → 401 even with the right secret", async () => {
    await expectRejected(`Bearer ${forge({ alg: "HS384" }, claims(), TEST_JWT_SECRET, "sha384")}`);
    await expectRejected(`Bearer ${forge({ alg: "HS512" }, claims(), TEST_JWT_SECRET, "sha512")}`);
    await expectRejected(`Bearer ${forge({ alg: "RS256" }, claims())}`);
    await expectRejected(`Bearer ${jwt.sign(claims(), TEST_JWT_SECRET, { algorithm: "HS512" })}`);
  });

  it("expired → 401", async () => {
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, { ...claims(), iat: now() - 120, exp: now() - 60 })}`);
  });

  it("not yet valid (nbf in the future) → 401", async () => {
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, { ...claims(), nbf: now() + 3600 })}`);
  });

  it("missing exp → 401", async () => {
    const { exp: _exp, ...noExp } = claims();
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, noExp)}`);
  });

  it("missing, empty or non-string sub → 401", async () => {
    const { sub: _sub, ...noSub } = claims();
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, noSub)}`);
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, { ...claims(), sub: "" })}`);
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, { ...claims(), sub: 42 })}`);
  });

  it("garbage → 401", async () => {
    await expectRejected("Bearer abc");
    await expectRejected("Bearer a.b.c");
    await expectRejected(`Bearer ${b64({ alg: "HS256" })}.${b64([1, 2])}.sig`);
  });

  it("ignores tokens in the query string (RFC 6750 §2.3 not supported)", async () => {
    const res = await app.request(`/api/v1/auth/me?access_token=${user.accessToken}`);
    expect(res.status).toBe(401);
  });

  it("a 401 never echoes the token", async () => {
    const token = forge({ alg: "HS256" }, claims(), "wrong-secret-wrong-secret-wrong-secret");
    const res = await app.request("/api/v1/auth/me", { token });
    expect(res.text).not.toContain(token);
  });

  it("a crit header parameter the API does not understand → 401 (RFC 7515 §4.1.11)", async () => {
    await expectRejected(`Bearer ${forge({ alg: "HS256", crit: ["exp-ext"], "exp-ext": true }, claims())}`);
    await expectRejected(`Bearer ${forge({ alg: "HS256", crit: [] }, claims())}`);
  });

  it("iat more than a minute in the future → 401; a few seconds of clock skew are fine", async () => {
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, { ...claims(), iat: now() + 120, exp: now() + 600 })}`);
    const skewed = forge({ alg: "HS256" }, { ...claims(), iat: now() + 20 });
    expect((await app.request("/api/v1/auth/me", { token: skewed })).status).toBe(200);
  });

  it("a sid that names no sign-in, or another user's sign-in → 401", async () => {
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, { ...claims(), sid: randomUUID() })}`);
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, { ...claims(), sid: "not-a-uuid" })}`);
    const other = await signUp(app);
    const othersSid = (jwt.decode(other.accessToken) as jwt.JwtPayload).sid;
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, { ...claims(), sid: othersSid })}`);
  });

  it("a token of the API's own kind whose owner does not exist never reaches the database as a 500", async () => {
    const ghost = randomUUID();
    const token = forge({ alg: "HS256" }, { ...claims(), sub: ghost, sid: randomUUID() });
    for (const [method, path, body] of [
      ["POST", `/api/v1/${ghost}/tasks`, { title: "orphan" }],
      ["GET", `/api/v1/${ghost}/tasks`],
      ["GET", "/api/v1/auth/me"],
    ] as const) {
      const res = await app.request(path, { method, token, body });
      expect([401, 403], `${method} ${path}`).toContain(res.status);
    }
  });

  it("below authentication too: creating a task for an owner that does not exist is a 401, not a foreign-key 500", async () => {
    const tasks = createTaskService(
      app.server.db.sql,
      { maxTasksPerUser: 10 },
      createOwnerGate({ perOwner: 2, waitMs: 5_000 }),
    );
    await expect(tasks.create(randomUUID(), { title: "orphan" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      status: 401,
    });
  });

  it.each([
    ["a slash", "a/b"],
    ["a space", "a b"],
    ["a newline", "a\nb"],
    ["a control character", "a\u0007b"],
  ])("a sub containing %s is no identity → 401", async (_what, sub) => {
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, { ...claims(), sub })}`);
    // Nor as an external identity of a holder of the shared secret.
    await expectRejected(`Bearer ${forge({ alg: "HS256" }, { sub, iat: now(), exp: now() + 600 })}`);
  });
});
