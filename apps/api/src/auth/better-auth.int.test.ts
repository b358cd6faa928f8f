// The API with the real `better-auth` package as the frontend's sign-in, configured as docs/better-auth.md
// says: JWKS mode (Better Auth's default EdDSA keys) and shared-secret (HS256) mode.
import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { randomIp, signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { type BetterAuthServer, type BetterAuthUser, startBetterAuth } from "@todo/test-kit/better-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OWN_TOKEN_AUDIENCE, OWN_TOKEN_ISSUER } from "./access-tokens.js";

const now = () => Math.floor(Date.now() / 1000);
// The test app refetches the key set at most once a second (JWT_JWKS_COOLDOWN); tests wait this long to
// get past it.
const COOLDOWN_MS = 1_100;

interface Caller {
  id: string;
  token: string;
}

/** Every task route with the caller's own data (2xx), and with another user's (403 for their path, 404 for their task). */
async function exerciseTaskRoutes(app: TestApp, owner: Caller, other: Caller): Promise<void> {
  const as = (caller: Caller) => ({ token: caller.token });
  const base = `/api/v1/${encodeURIComponent(owner.id)}/tasks`;
  const otherBase = `/api/v1/${encodeURIComponent(other.id)}/tasks`;

  const me = await app.request("/api/v1/auth/me", as(owner));
  expect(me.status).toBe(200);
  expect(me.body.user.id).toBe(owner.id);

  const created = await app.request(base, { ...as(owner), method: "POST", body: { title: "mine", description: "d" } });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ userId: owner.id, title: "mine", completed: false });
  const task = `${base}/${created.body.id}`;
  expect((await app.request(base, as(owner))).body.items.map((t: { id: string }) => t.id)).toEqual([created.body.id]);
  expect((await app.request(task, as(owner))).status).toBe(200);
  const updated = await app.request(task, { ...as(owner), method: "PUT", body: { title: "still mine" } });
  expect(updated.status).toBe(200);
  expect(updated.body.title).toBe("still mine");
  const toggled = await app.request(`${task}/complete`, { ...as(owner), method: "PATCH" });
  expect(toggled.status).toBe(200);
  expect(toggled.body.completed).toBe(true);

  // The other user: 403 on the owner's path, 404 for the owner's task under their own path.
  const foreignTask = `${otherBase}/${created.body.id}`;
  const attempts: [string, string, object?][] = [
    ["GET", base],
    ["POST", base, { title: "x" }],
    ["GET", task],
    ["PUT", task, { title: "x" }],
    ["PATCH", `${task}/complete`],
    ["DELETE", task],
  ];
  for (const [method, path, body] of attempts) {
    const res = await app.request(path, { ...as(other), method, body });
    expect(res.status, `${method} ${path}`).toBe(403);
  }
  for (const [method, body] of [["GET"], ["PUT", { title: "x" }], ["DELETE"]] as [string, object?][]) {
    expect((await app.request(foreignTask, { ...as(other), method, body })).status, `${method} foreign`).toBe(404);
  }
  expect((await app.request(`${foreignTask}/complete`, { ...as(other), method: "PATCH" })).status).toBe(404);
  expect((await app.request(otherBase, as(other))).body.items).toEqual([]);

  // Unchanged by all that; then the owner deletes it.
  expect((await app.request(task, as(owner))).body).toMatchObject({ title: "still mine", completed: true });
  expect((await app.request(task, { ...as(owner), method: "DELETE" })).status).toBe(204);
  expect((await app.request(task, as(owner))).status).toBe(404);
}

async function expect401(app: TestApp, token: string, reason: string): Promise<void> {
  const before = app.logs.length;
  const res = await app.request("/api/v1/auth/me", { token });
  expect(res.status, reason).toBe(401);
  expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  const logged = app.logs.slice(before).map((l) => JSON.parse(l) as { msg: string; reason?: string });
  expect(logged.find((l) => l.msg === "authentication failed")?.reason).toBe(reason);
}

const me = (app: TestApp, token: string) => app.request("/api/v1/auth/me", { token });

describe("Better Auth in JWKS mode (its default: EdDSA keys at /api/auth/jwks)", () => {
  let ba: BetterAuthServer;
  let stranger: BetterAuthServer;
  let app: TestApp;
  let alice: BetterAuthUser;
  let bob: BetterAuthUser;

  beforeAll(async () => {
    ba = await startBetterAuth();
    stranger = await startBetterAuth();
    app = await startTestApp({ BETTER_AUTH_URL: ba.url, JWT_JWKS_COOLDOWN: "1s" });
    alice = await ba.signUp(undefined, { verify: true });
    bob = await ba.signUp(undefined, { verify: true });
  });
  afterAll(async () => {
    await app?.close();
    await ba?.stop().catch(() => undefined);
    await stranger?.stop();
  });

  it("runs every task route for two Better Auth users, each token got as a frontend gets it", async () => {
    const aliceToken = await ba.token(alice); // authClient.token() → GET /api/auth/token
    const bobToken = await ba.sessionHeaderToken(bob); // the set-auth-jwt header of getSession()
    expect(JSON.parse(Buffer.from(aliceToken.split(".")[0]!, "base64url").toString())).toMatchObject({ alg: "EdDSA" });
    await exerciseTaskRoutes(app, { id: alice.id, token: aliceToken }, { id: bob.id, token: bobToken });
    await exerciseTaskRoutes(app, { id: bob.id, token: bobToken }, { id: alice.id, token: aliceToken });
    expect((await me(app, aliceToken)).body.user).toMatchObject({ id: alice.id, email: alice.email });
  });

  it("refuses a wrong issuer, a wrong audience, an expired token and one of the API's own kind", async () => {
    const claims = { sub: alice.id, email: alice.email, emailVerified: true };
    await expect401(app, await ba.sign({ ...claims, iss: "https://evil.example" }), "wrong_issuer");
    await expect401(app, await ba.sign({ ...claims, aud: "https://some-other-api.example" }), "wrong_audience");
    await expect401(app, await ba.sign({ ...claims, iat: now() - 1000, exp: now() - 100 }), "expired");
    // Signed by Better Auth's key but claiming to be the API's own: never accepted as that kind.
    await expect401(
      app,
      await ba.sign({ ...claims, iss: OWN_TOKEN_ISSUER, aud: OWN_TOKEN_AUDIENCE, sid: randomUUID() }),
      "wrong_issuer",
    );
    expect((await me(app, await ba.sign(claims))).status).toBe(200);
  });

  it("refuses a token of another Better Auth (unknown kid), fetching its key set at most once per cooldown", async () => {
    await sleep(COOLDOWN_MS);
    const forged = await Promise.all(
      Array.from({ length: 30 }, () => stranger.sign({ sub: alice.id, iss: ba.url, aud: ba.url })),
    );
    const before = ba.jwksRequests;
    const started = Date.now();
    const results = await Promise.all(forged.map((token) => me(app, token)));
    expect(results.map((r) => r.status)).toEqual(forged.map(() => 401));
    await expect401(app, forged[0]!, "unknown_key");
    // One fetch, and one more per second (the test's cooldown) the storm lasted on a slow machine.
    const fetches = ba.jwksRequests - before;
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeLessThanOrEqual(1 + Math.floor((Date.now() - started) / 1000));
  });

  it("follows a key rotation; tokens of the previous key keep working", async () => {
    const oldToken = await ba.token(alice);
    expect((await me(app, oldToken)).status).toBe(200);
    const oldKid = JSON.parse(Buffer.from(oldToken.split(".")[0]!, "base64url").toString()).kid;
    ba.rotateKey();
    const newToken = await ba.token(alice);
    const newKid = JSON.parse(Buffer.from(newToken.split(".")[0]!, "base64url").toString()).kid;
    expect(newKid).not.toBe(oldKid);
    await sleep(COOLDOWN_MS);
    expect((await me(app, newToken)).status).toBe(200);
    expect((await me(app, oldToken)).status).toBe(200);
  });

  it("accepts every algorithm Better Auth can sign with (ES256, ES512, RS256, PS256, back to EdDSA)", async () => {
    for (const alg of ["ES256", "ES512", "RS256", "PS256", "EdDSA"] as const) {
      ba.useAlgorithm(alg);
      const token = await ba.token(alice);
      expect(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).alg).toBe(alg);
      await sleep(COOLDOWN_MS); // the new key's first token makes the API fetch the set again
      expect((await me(app, token)).status, alg).toBe(200);
    }
  });

  it("keeps users in while the key set is unreachable; an unknown key then gets 503 with Retry-After", async () => {
    const known = await ba.token(bob);
    expect((await me(app, known)).status).toBe(200);
    const unknown = await stranger.sign({ sub: bob.id, iss: ba.url, aud: ba.url });
    await ba.stop();
    try {
      await sleep(COOLDOWN_MS);
      expect((await me(app, known)).status).toBe(200);
      const before = app.logs.length;
      const res = await me(app, unknown);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("SERVICE_UNAVAILABLE");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const logged = app.logs.slice(before).map((l) => JSON.parse(l) as { msg: string; level: string });
      expect(logged.some((l) => /key set/i.test(l.msg) && l.level === "warn")).toBe(true);
      // Task routes too, and the known key still works for them.
      expect((await app.request(`/api/v1/${bob.id}/tasks`, { token: unknown })).status).toBe(503);
      expect((await app.request(`/api/v1/${bob.id}/tasks`, { token: known })).status).toBe(200);
    } finally {
      await ba.restart();
    }
    await sleep(COOLDOWN_MS);
    await expect401(app, unknown, "unknown_key");
  });

  it("keeps an email only when Better Auth says it is verified, and follows later tokens", async () => {
    const carol = await ba.signUp();
    const unverified = await ba.token(carol);
    expect(JSON.parse(Buffer.from(unverified.split(".")[1]!, "base64url").toString()).emailVerified).toBe(false);
    expect((await me(app, unverified)).body.user).toEqual(expect.objectContaining({ id: carol.id, email: null }));
    // Whoever signed up there with someone else's address reserves nothing here.
    expect(
      (
        await app.request("/api/v1/auth/register", {
          method: "POST",
          body: { email: carol.email, password: "the real owner's password" },
          headers: { "x-forwarded-for": randomIp() },
        })
      ).status,
    ).toBe(201);

    await ba.verifyEmail(carol.email);
    expect((await me(app, await ba.token(carol))).body.user.email).toBe(carol.email);
    const newEmail = `renamed-${randomUUID()}@example.com`;
    await ba.changeEmail(carol, newEmail);
    expect((await me(app, await ba.token(carol))).body.user.email).toBe(newEmail);
  });

  it("never lets an external identity and a password account with the same email meet, either way round", async () => {
    // External first: a verified Better Auth user is recorded; then the same address registers here.
    const dave = await ba.signUp(undefined, { verify: true });
    const daveToken = await ba.token(dave);
    expect((await me(app, daveToken)).body.user).toMatchObject({ id: dave.id, email: dave.email });
    const davePassword = await signUp(app, dave.email);
    expect(davePassword.id).not.toBe(dave.id);
    await exerciseTaskRoutes(
      app,
      { id: dave.id, token: daveToken },
      { id: davePassword.id, token: davePassword.accessToken },
    );
    await exerciseTaskRoutes(
      app,
      { id: davePassword.id, token: davePassword.accessToken },
      { id: dave.id, token: daveToken },
    );

    // Password account first: a Better Auth user with that address gets an identity of its own.
    const erin = await signUp(app);
    const erinThere = await ba.signUp(erin.email, { verify: true });
    const erinToken = await ba.token(erinThere);
    expect((await me(app, erinToken)).body.user).toMatchObject({ id: erinThere.id, email: erin.email });
    expect((await me(app, erin.accessToken)).body.user).toMatchObject({ id: erin.id, email: erin.email });
    const login = await app.request("/api/v1/auth/login", {
      method: "POST",
      body: { email: erin.email, password: erin.password },
      headers: { "x-forwarded-for": randomIp() },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(erin.id);
    // Neither reaches the other's tasks.
    expect((await app.request(`/api/v1/${erin.id}/tasks`, { token: erinToken })).status).toBe(403);
  });

  it("refuses an external token whose sub is the id of a password account here", async () => {
    const frank = await signUp(app);
    await expect401(app, await ba.sign({ sub: frank.id, email: frank.email, emailVerified: true }), "password_account");
    expect((await me(app, frank.accessToken)).status).toBe(200);
  });

  it("records a new identity once under concurrent first use (no 500 from a unique violation)", async () => {
    const grace = await ba.signUp(undefined, { verify: true });
    const token = await ba.token(grace);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? me(app, token)
          : app.request(`/api/v1/${grace.id}/tasks`, { token, method: "POST", body: { title: `t${i}` } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([...Array(10).fill(200), ...Array(10).fill(201)].sort());
    expect((await app.request(`/api/v1/${grace.id}/tasks`, { token })).body.items).toHaveLength(10);
  });
});

describe("Better Auth in shared-secret mode (HS256 with BETTER_AUTH_SECRET, the recipe of docs/better-auth.md)", () => {
  const secret = randomBytes(32).toString("base64url");
  let ba: BetterAuthServer;
  let otherFrontend: BetterAuthServer;
  let app: TestApp;

  beforeAll(async () => {
    ba = await startBetterAuth({ kind: "hs256", secret });
    otherFrontend = await startBetterAuth({ kind: "hs256", secret });
    app = await startTestApp({ JWT_SECRET: "", BETTER_AUTH_SECRET: secret, JWT_ISSUER: ba.url, JWT_AUDIENCE: ba.url });
  });
  afterAll(async () => {
    await app?.close();
    await ba?.stop();
    await otherFrontend?.stop();
  });

  it("runs every task route for two Better Auth users; the API's own sign-ins work beside them", async () => {
    const alice = await ba.signUp(undefined, { verify: true });
    const bob = await ba.signUp(undefined, { verify: true });
    const aliceToken = await ba.token(alice);
    expect(JSON.parse(Buffer.from(aliceToken.split(".")[0]!, "base64url").toString())).toMatchObject({ alg: "HS256" });
    const bobToken = await ba.sessionHeaderToken(bob);
    await exerciseTaskRoutes(app, { id: alice.id, token: aliceToken }, { id: bob.id, token: bobToken });
    const local = await signUp(app);
    await exerciseTaskRoutes(app, { id: local.id, token: local.accessToken }, { id: alice.id, token: aliceToken });
    expect(ba.jwksRequests).toBe(0);
  });

  it("refuses tokens of another issuer or audience signed with the same secret, and expired ones", async () => {
    const user = await otherFrontend.signUp(undefined, { verify: true });
    await expect401(app, await otherFrontend.token(user), "wrong_issuer");
    await expect401(app, await ba.sign({ sub: user.id, aud: "https://some-other-api.example" }), "wrong_audience");
    await expect401(app, await ba.sign({ sub: user.id, iat: now() - 1000, exp: now() - 100 }), "expired");
  });

  it("keeps only a verified email", async () => {
    const heidi = await ba.signUp();
    expect((await me(app, await ba.token(heidi))).body.user).toMatchObject({ id: heidi.id, email: null });
    await ba.verifyEmail(heidi.email);
    expect((await me(app, await ba.token(heidi))).body.user).toMatchObject({ id: heidi.id, email: heidi.email });
  });
});
