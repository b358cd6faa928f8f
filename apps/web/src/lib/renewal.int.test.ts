import { contractClient, registerUser, type StartedApiProcess, startApiProcess } from "@todo/test-kit/process";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { API_TEST_ENV } from "../../e2e/stack";
import { renewSignIn } from "./renewal";

// Against a real API process: refresh tokens are single use there, and a second use ends the sign-in.
let api: StartedApiProcess;
let url: string;

beforeAll(async () => {
  api = await startApiProcess(API_TEST_ENV);
  url = api.url;
  vi.stubEnv("TODO_API_URL", url);
});

afterAll(async () => {
  await api?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refreshCalls = () => api.api.logs.filter((l) => l.path === "/api/v1/auth/refresh").length;

async function register(): Promise<string> {
  return (await registerUser(url)).refreshToken;
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
    expect(api.api.logs.some((l) => l.msg === "refresh token reuse: sign-in revoked")).toBe(false);
  });

  it("reports a revoked or unknown refresh token as an ended sign-in", async () => {
    const token = await register();
    expect((await contractClient(url).auth.logout({ body: { refreshToken: token } })).status).toBe(204);
    expect(await renewSignIn(token)).toEqual({ kind: "ended" });
    expect(await renewSignIn("never-issued")).toEqual({ kind: "ended" });
  });
});
