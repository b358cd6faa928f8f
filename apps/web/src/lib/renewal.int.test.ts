import { type ApiProcess, spawnApi } from "@todo/api/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { API_TEST_ENV } from "../../e2e/stack";
import { renewSignIn } from "./renewal";

// Against a real API process: refresh tokens are single use there, and a second use ends the sign-in.
let api: ApiProcess;
let url: string;

beforeAll(async () => {
  api = spawnApi(API_TEST_ENV);
  url = await api.waitUntilListening(1, 60_000);
  vi.stubEnv("TODO_API_URL", url);
});

afterAll(async () => {
  api?.kill();
  await api?.exited;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refreshCalls = () => api.logs.filter((l) => l.path === "/api/v1/auth/refresh").length;

async function register(): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: `renew.${Date.now()}.${Math.random()}@example.com`,
      password: "correct horse battery",
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { refreshToken: string }).refreshToken;
}

describe("renewSignIn", () => {
  it("spends a refresh token once for concurrent callers and answers later ones with the newest pair", async () => {
    const first = await register();
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => renewSignIn(first)));
    const [one] = outcomes;
    expect(one?.kind).toBe("renewed");
    for (const outcome of outcomes) expect(outcome).toEqual(one);
    // The API batches its log lines: wait for the first, then make sure no second follows.
    await expect.poll(refreshCalls).toBeGreaterThanOrEqual(1);
    await sleep(800);
    expect(refreshCalls()).toBe(1);

    if (one?.kind !== "renewed") throw new Error("not renewed");
    const second = await renewSignIn(one.tokens.refreshToken);
    expect(second.kind).toBe("renewed");
    // A straggler with the very first token gets the newest pair, not a second rotation (which would be theft).
    expect(await renewSignIn(first)).toEqual(second);
    await expect.poll(refreshCalls).toBeGreaterThanOrEqual(2);
    await sleep(800);
    expect(refreshCalls()).toBe(2);
    expect(api.logs.some((l) => l.msg === "refresh token reuse: sign-in revoked")).toBe(false);
  });

  it("reports a revoked or unknown refresh token as an ended sign-in", async () => {
    const token = await register();
    await fetch(`${url}/api/v1/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: token }),
    });
    expect(await renewSignIn(token)).toEqual({ kind: "ended" });
    expect(await renewSignIn("never-issued")).toEqual({ kind: "ended" });
  });
});
