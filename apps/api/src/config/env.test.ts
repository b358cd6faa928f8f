import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "./env.js";

const strongSecret = "s".repeat(32);

describe("loadEnv", () => {
  it("applies the documented defaults", () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      ACCESS_TOKEN_TTL: 86_400,
      REFRESH_TOKEN_TTL: 30 * 86_400,
      BCRYPT_COST: 12,
      DB_POOL_MAX: 20,
      JSON_BODY_LIMIT_BYTES: 16 * 1024,
      RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS: 10,
      RATE_LIMIT_LOGIN_PER_ADDRESS: 100,
      RATE_LIMIT_LOGIN_WINDOW: 900,
      RATE_LIMIT_LOGIN_PER_ACCOUNT: 100,
      RATE_LIMIT_LOGIN_ACCOUNT_WINDOW: 3600,
      HASH_QUEUE_MAX: 32,
      HASH_QUEUE_MAX_PER_CLIENT: 8,
      REFRESH_REUSE_GRACE_SECONDS: 10,
      HEADERS_TIMEOUT_MS: 10_000,
      MAX_CONNECTIONS: 1_000,
      RATE_LIMIT_REGISTER_PER_ADDRESS: 100,
      RATE_LIMIT_REGISTER_WINDOW: 3600,
      RATE_LIMIT_REFRESH_PER_ADDRESS: 300,
      CORS_ORIGINS: [],
      TRUST_PROXY: false,
      jwtSecretSource: "generated",
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PGLITE_DIR).toMatch(/\.data[/\\]pglite$/);
  });

  it("resolves a relative PGLITE_DIR against the working directory", () => {
    expect(loadEnv({ PGLITE_DIR: "db" }).PGLITE_DIR).toBe(resolve(process.cwd(), "db"));
    expect(loadEnv({ PGLITE_DIR: "/abs/db" }).PGLITE_DIR).toBe("/abs/db");
    expect(loadEnv({ PGLITE_DIR: "memory://" }).PGLITE_DIR).toBe("memory://");
  });

  it("prefers JWT_SECRET, then BETTER_AUTH_SECRET", () => {
    expect(loadEnv({ JWT_SECRET: "a", BETTER_AUTH_SECRET: "b" })).toMatchObject({
      jwtSecret: "a",
      jwtSecretSource: "JWT_SECRET",
    });
    expect(loadEnv({ BETTER_AUTH_SECRET: "b" })).toMatchObject({
      jwtSecret: "b",
      jwtSecretSource: "BETTER_AUTH_SECRET",
    });
    expect(loadEnv({ JWT_SECRET: "", BETTER_AUTH_SECRET: "b" })).toMatchObject({
      jwtSecretSource: "BETTER_AUTH_SECRET",
    });
  });

  it("refuses to start in production without a secret, naming the variable", () => {
    expect(() => loadEnv({ NODE_ENV: "production" })).toThrow(/JWT_SECRET/);
  });

  it("refuses TRUST_PROXY=true in production, asking for a hop count or the proxies' addresses", () => {
    const production = { NODE_ENV: "production", JWT_SECRET: strongSecret };
    expect(() => loadEnv({ ...production, TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY: .*hops.*addresses/s);
    expect(loadEnv({ ...production, TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    expect(loadEnv({ ...production, TRUST_PROXY: "10.0.0.0/8, 192.168.1.7" }).TRUST_PROXY).toEqual([
      "10.0.0.0/8",
      "192.168.1.7",
    ]);
    // Outside production (tests, a laptop behind one dev proxy) `true` stays available.
    expect(loadEnv({ TRUST_PROXY: "true" }).TRUST_PROXY).toBe(true);
  });

  it("refuses TRUST_PROXY ranges that cover the public internet in production, not only `true`", () => {
    const production = { NODE_ENV: "production", JWT_SECRET: strongSecret };
    const everyone = [
      "0.0.0.0/0",
      "0.0.0.0/1,128.0.0.0/1",
      "0.0.0.0/0.0.0.0",
      "64.0.0.0/2",
      "8.0.0.0/7",
      "::/0",
      "::/1",
      "2000::/3",
      "2001::/16",
      "::ffff:0:0/96",
      "::ffff:0.0.0.0/97",
      "::/64",
      "64:ff9b::/96",
      "10.0.0.0/8, 0.0.0.0/1",
    ];
    for (const TRUST_PROXY of everyone) {
      expect(() => loadEnv({ ...production, TRUST_PROXY }), TRUST_PROXY).toThrow(/TRUST_PROXY: .*public internet/);
    }
    const proxies = [
      "10.0.0.0/8",
      "172.16.0.0/12",
      "192.168.0.0/16, 100.64.0.0/10",
      "10.0.0.0/255.0.0.0",
      "fc00::/7",
      "fd12:3456::/32",
      "fe80::/10",
      "loopback, linklocal, uniquelocal",
      "173.245.48.0/20, 104.16.0.0/13",
      "2400:cb00::/32, 2606:4700::/32",
      "203.0.113.7",
      "::ffff:10.0.0.0/104",
      "2001:db8::1",
    ];
    for (const TRUST_PROXY of proxies) expect(() => loadEnv({ ...production, TRUST_PROXY }), TRUST_PROXY).not.toThrow();
    // Outside production wide ranges stay available (a laptop, a test rig); nonsense never is.
    expect(loadEnv({ TRUST_PROXY: "0.0.0.0/0" }).TRUST_PROXY).toEqual(["0.0.0.0/0"]);
    for (const TRUST_PROXY of ["my-proxy", "10.0.0.0/33", "1.2.3.4/8/8", "::/129", "10.0.0.0/255.0.255.0"]) {
      expect(() => loadEnv({ TRUST_PROXY }), TRUST_PROXY).toThrow(/TRUST_PROXY: .*not an IP address/);
    }
  });

  it("refuses a production secret shorter than 32 bytes, naming the variable it came from", () => {
    expect(() => loadEnv({ NODE_ENV: "production", JWT_SECRET: "short" })).toThrow(
      /JWT_SECRET: must be at least 32 bytes/,
    );
    expect(() => loadEnv({ NODE_ENV: "production", BETTER_AUTH_SECRET: "short" })).toThrow(/BETTER_AUTH_SECRET/);
    expect(loadEnv({ NODE_ENV: "production", JWT_SECRET: strongSecret }).jwtSecret).toBe(strongSecret);
  });

  it("parses durations, lists and proxy settings", () => {
    const env = loadEnv({
      ACCESS_TOKEN_TTL: "15m",
      REFRESH_TOKEN_TTL: "7d",
      CORS_ORIGINS: "https://a.example, https://b.example",
      TRUST_PROXY: "1",
    });
    expect(env.ACCESS_TOKEN_TTL).toBe(900);
    expect(env.REFRESH_TOKEN_TTL).toBe(7 * 86_400);
    expect(env.CORS_ORIGINS).toEqual(["https://a.example", "https://b.example"]);
    expect(env.TRUST_PROXY).toBe(1);
    expect(loadEnv({ TRUST_PROXY: "loopback, 10.0.0.0/8" }).TRUST_PROXY).toEqual(["loopback", "10.0.0.0/8"]);
  });

  it("derives the external token checks from BETTER_AUTH_URL as Better Auth does, each overridable", () => {
    expect(loadEnv({}).externalTokens).toEqual({
      jwksUrl: undefined,
      issuer: undefined,
      audience: undefined,
      jwksCooldownSeconds: 10,
    });
    // Better Auth's iss and aud are the origin of its base URL; its keys are under its default base path.
    expect(loadEnv({ BETTER_AUTH_URL: "https://app.example/" }).externalTokens).toMatchObject({
      jwksUrl: "https://app.example/api/auth/jwks",
      issuer: "https://app.example",
      audience: "https://app.example",
    });
    expect(
      loadEnv({
        BETTER_AUTH_URL: "https://app.example",
        JWT_JWKS_URL: "https://auth.example/.well-known/jwks.json",
        JWT_ISSUER: "https://auth.example",
        JWT_AUDIENCE: "todo",
        JWT_JWKS_COOLDOWN: "30s",
      }).externalTokens,
    ).toEqual({
      jwksUrl: "https://auth.example/.well-known/jwks.json",
      issuer: "https://auth.example",
      audience: "todo",
      jwksCooldownSeconds: 30,
    });
    // Shared-secret mode with issuer and audience checks, no key set.
    expect(
      loadEnv({ JWT_ISSUER: "https://app.example", JWT_AUDIENCE: "https://app.example" }).externalTokens,
    ).toMatchObject({
      jwksUrl: undefined,
      issuer: "https://app.example",
    });
  });

  it.each([
    ["PORT", "not-a-port"],
    ["PORT", "70000"],
    ["BCRYPT_COST", "3"],
    ["BCRYPT_COST", "20"],
    ["DB_POOL_MAX", "0"],
    ["ACCESS_TOKEN_TTL", "forever"],
    ["DATABASE_URL", "mysql://localhost/db"],
    ["LOG_LEVEL", "loud"],
    ["BETTER_AUTH_URL", "not a url"],
    ["BETTER_AUTH_URL", "ftp://app.example"],
    ["JWT_JWKS_URL", "file:///etc/jwks.json"],
    ["JWT_JWKS_URL", "https://keys.example/jwks"],
    ["JWT_JWKS_COOLDOWN", "soon"],
    ["JWT_JWKS_COOLDOWN", "0"],
    ["METRICS_PORT", "metrics"],
    ["METRICS_PORT", "70000"],
  ])("reports an invalid %s=%s with a clear message", (name, value) => {
    try {
      loadEnv({ [name]: value });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError);
      expect((err as EnvError).message).toContain(name);
    }
  });

  it("turns metrics on only with METRICS_PORT, on loopback unless METRICS_HOST says otherwise", () => {
    expect(loadEnv({}).METRICS_PORT).toBeUndefined();
    expect(loadEnv({ METRICS_PORT: "" }).METRICS_PORT).toBeUndefined();
    expect(loadEnv({ METRICS_PORT: "9464" })).toMatchObject({ METRICS_PORT: 9464, METRICS_HOST: "127.0.0.1" });
    expect(loadEnv({ METRICS_PORT: "0", PORT: "0" }).METRICS_PORT).toBe(0);
    expect(loadEnv({ METRICS_PORT: "9464", METRICS_HOST: "0.0.0.0" }).METRICS_HOST).toBe("0.0.0.0");
    expect(() => loadEnv({ METRICS_PORT: "3000" })).toThrow(/METRICS_PORT: must differ from PORT/);
  });
});
