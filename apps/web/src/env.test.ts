import { describe, expect, it } from "vitest";
import { loadWebEnv, WebEnvError } from "./env";

describe("web env", () => {
  it("defaults to the API on 127.0.0.1:3000 and port 3001", () => {
    expect(loadWebEnv({})).toMatchObject({
      TODO_API_URL: "http://127.0.0.1:3000",
      WEB_PORT: 3001,
      WEB_TRUST_PROXY_HOPS: 0,
      REFRESH_REUSE_GRACE_SECONDS: 10,
    });
  });

  it("ignores PORT, which belongs to the API", () => {
    expect(loadWebEnv({ PORT: "4000" }).WEB_PORT).toBe(3001);
  });

  it("takes the API origin without a trailing slash and a port number", () => {
    const env = loadWebEnv({ TODO_API_URL: "https://api.example.com/", WEB_PORT: "8080" });
    expect(env).toMatchObject({ TODO_API_URL: "https://api.example.com", WEB_PORT: 8080 });
  });

  it.each([
    [{ TODO_API_URL: "not a url" }, "TODO_API_URL"],
    [{ TODO_API_URL: "ftp://example.com" }, "TODO_API_URL: must be an http:// or https:// URL"],
    [{ WEB_PORT: "70000" }, "WEB_PORT"],
    [{ WEB_PORT: "abc" }, "WEB_PORT: must be a port number"],
    [{ WEB_TRUST_PROXY_HOPS: "true" }, "WEB_TRUST_PROXY_HOPS: must be a whole number"],
    [{ WEB_TRUST_PROXY_HOPS: "1.5" }, "WEB_TRUST_PROXY_HOPS: must be a whole number"],
    [{ WEB_TRUST_PROXY_HOPS: "-1" }, "WEB_TRUST_PROXY_HOPS"],
    [{ REFRESH_REUSE_GRACE_SECONDS: "301" }, "REFRESH_REUSE_GRACE_SECONDS"],
    [{ REFRESH_REUSE_GRACE_SECONDS: "ten" }, "REFRESH_REUSE_GRACE_SECONDS: must be a whole number of seconds"],
  ])("refuses %o with a message naming the variable", (source, message) => {
    expect(() => loadWebEnv(source)).toThrow(WebEnvError);
    expect(() => loadWebEnv(source)).toThrow(message);
  });
});
