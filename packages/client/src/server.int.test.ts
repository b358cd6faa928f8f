import { type ApiProcess, spawnApi } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FetchLike } from "./http.js";
import {
  accessTokenNeedsRenewal,
  createServerRenewal,
  createServerTodoClient,
  readAccessToken,
  type ServerRenewalEvent,
} from "./server.js";
import { memoryTokenStore } from "./token-store.js";

// The server-side renewal against real API processes (test/api-servers.ts), plus one whose grace for a
// retired refresh token is 1 s, to replay a stolen cookie after it.
const password = "correct horse battery";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function countingFetch() {
  let refreshes = 0;
  const fetch: FetchLike = (input, init) => {
    if (new URL(input).pathname.endsWith("/auth/refresh")) refreshes += 1;
    return globalThis.fetch(input, init);
  };
  return { fetch, refreshes: () => refreshes };
}

async function register(baseUrl: string) {
  const res = await fetch(`${baseUrl}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: `server-${crypto.randomUUID()}@example.com`, password }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { accessToken: string; refreshToken: string; user: { id: string; email: string } };
}

const me = (baseUrl: string, accessToken: string) =>
  fetch(`${baseUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } }).then((r) => r.status);

let strict: ApiProcess;
let strictUrl: string;

beforeAll(async () => {
  strict = spawnApi({
    DATABASE_URL: "",
    PGLITE_DIR: "memory://",
    JWT_SECRET: "client-test-secret-that-is-at-least-32-bytes",
    BCRYPT_COST: "4",
    WEB_CONCURRENCY: "1",
    REVOCATION_SYNC_MS: "200",
    REFRESH_REUSE_GRACE_SECONDS: "1",
  });
  strictUrl = await strict.waitUntilListening(1, 60_000);
});

afterAll(async () => {
  strict?.kill();
  await strict?.exited;
});

describe("createServerRenewal against the real API", () => {
  it("spends a refresh token once for concurrent callers", async () => {
    const baseUrl = inject("apiUrl");
    const counting = countingFetch();
    const events: ServerRenewalEvent[] = [];
    const renewal = createServerRenewal({
      baseUrl,
      reuseGraceSeconds: 10,
      fetch: counting.fetch,
      onEvent: (e) => events.push(e),
    });
    const { refreshToken } = await register(baseUrl);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => renewal.renew(refreshToken)));
    expect(counting.refreshes()).toBe(1);
    expect(outcomes[0]?.kind).toBe("renewed");
    for (const outcome of outcomes) expect(outcome).toEqual(outcomes[0]);
    expect(events.filter((e) => e.type === "refreshed")).toHaveLength(1);
    expect(events.filter((e) => e.type === "joined")).toHaveLength(7);
  });

  it("shares its memory between instances for the same API (separate bundles of one process)", async () => {
    const baseUrl = inject("apiUrl");
    const counting = countingFetch();
    const a = createServerRenewal({ baseUrl, reuseGraceSeconds: 10, fetch: counting.fetch });
    const b = createServerRenewal({ baseUrl: `${baseUrl}/`, reuseGraceSeconds: 10, fetch: counting.fetch });
    const { refreshToken } = await register(baseUrl);
    const [one, two] = await Promise.all([a.renew(refreshToken), b.renew(refreshToken)]);
    expect(one).toEqual(two);
    expect(counting.refreshes()).toBe(1);
  });

  it("answers a retired token within the grace with the pair it became, never a later one (no chain walking)", async () => {
    const baseUrl = inject("apiUrl");
    const counting = countingFetch();
    const events: ServerRenewalEvent[] = [];
    const renewal = createServerRenewal({
      baseUrl,
      reuseGraceSeconds: 10,
      fetch: counting.fetch,
      onEvent: (e) => events.push(e),
    });
    const first = await register(baseUrl);
    const second = await renewal.renew(first.refreshToken);
    if (second.kind !== "renewed") throw new Error(`not renewed: ${second.kind}`);
    const third = await renewal.renew(second.tokens.refreshToken);
    if (third.kind !== "renewed") throw new Error(`not renewed: ${third.kind}`);
    expect(counting.refreshes()).toBe(2);

    // The first token again: the pair it was rotated into (the second), not the newest (the third).
    expect(await renewal.renew(first.refreshToken)).toEqual(second);
    expect(counting.refreshes()).toBe(2);
    expect(events.at(-1)).toMatchObject({ type: "remembered" });
  });

  it("remembers nothing with a grace of 0", async () => {
    const baseUrl = inject("apiUrl");
    const counting = countingFetch();
    const renewal = createServerRenewal({ baseUrl, reuseGraceSeconds: 0, fetch: counting.fetch });
    const { refreshToken } = await register(baseUrl);
    expect((await renewal.renew(refreshToken)).kind).toBe("renewed");
    await renewal.renew(refreshToken); // the API's own grace (10 s here) answers this one
    expect(counting.refreshes()).toBe(2);
  });

  it("a stolen retired token replayed after the grace reaches the API, which ends the sign-in", async () => {
    const counting = countingFetch();
    const renewal = createServerRenewal({ baseUrl: strictUrl, reuseGraceSeconds: 1, fetch: counting.fetch });
    const stolen = await register(strictUrl);
    const victim = await renewal.renew(stolen.refreshToken);
    if (victim.kind !== "renewed") throw new Error(`not renewed: ${victim.kind}`);
    await sleep(1_300); // past the grace of both the memory and the API

    const replay = await renewal.renew(stolen.refreshToken);
    expect(replay).toEqual({ kind: "ended", status: 401 });
    expect(counting.refreshes()).toBe(2); // forwarded, not answered from memory
    // The API took it for theft: the victim's current pair is dead too.
    expect((await renewal.renew(victim.tokens.refreshToken)).kind).toBe("ended");
    await sleep(600); // access tokens of a revoked sign-in stop working within REVOCATION_SYNC_MS
    expect(await me(strictUrl, victim.tokens.accessToken)).toBe(401);
    expect(strict.logs.some((l) => l.reason === "refresh_token_reuse")).toBe(true);
  });

  it("reports a revoked or unknown token as ended, and an unreachable API as unavailable", async () => {
    const baseUrl = inject("apiUrl");
    const renewal = createServerRenewal({ baseUrl, reuseGraceSeconds: 10 });
    expect(await renewal.renew("never-issued")).toMatchObject({ kind: "ended" });
    const offline = createServerRenewal({ baseUrl: "http://127.0.0.1:9", reuseGraceSeconds: 10 });
    expect(await offline.renew("whatever")).toEqual({ kind: "unavailable", status: null });
  });
});

describe("createServerTodoClient", () => {
  it("clients of concurrent requests holding the same expired pair renew once and each store the new pair", async () => {
    const baseUrl = inject("shortLivedApiUrl");
    const counting = countingFetch();
    const renewal = createServerRenewal({ baseUrl, reuseGraceSeconds: 10, fetch: counting.fetch });
    const session = await register(baseUrl);
    await sleep(inject("shortLivedTokenSeconds") * 1000 + 100); // the short-lived access token has expired
    const stores = Array.from({ length: 4 }, () => memoryTokenStore(session));
    const clients = stores.map((tokenStore) => createServerTodoClient({ renewal, tokenStore }));
    const answers = await Promise.all(clients.map((c) => c.api.auth.me()));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(counting.refreshes()).toBe(1);
    const stored = await Promise.all(stores.map((s) => s.get()));
    expect(new Set(stored.map((t) => t?.refreshToken)).size).toBe(1);
    expect(stored[0]?.refreshToken).not.toBe(session.refreshToken);
  });

  it("never renews with autoRefresh off (a Server Component cannot save a new pair)", async () => {
    const baseUrl = inject("shortLivedApiUrl");
    const counting = countingFetch();
    const renewal = createServerRenewal({ baseUrl, reuseGraceSeconds: 10, fetch: counting.fetch });
    const session = await register(baseUrl);
    await sleep(inject("shortLivedTokenSeconds") * 1000 + 100);
    const client = createServerTodoClient({ renewal, tokenStore: memoryTokenStore(session), autoRefresh: false });
    expect((await client.api.auth.me()).status).toBe(401);
    expect(counting.refreshes()).toBe(0);
  });
});

describe("reading access tokens", () => {
  it("reads whose token it is and when it needs renewing", async () => {
    const baseUrl = inject("apiUrl");
    const session = await register(baseUrl);
    const subject = readAccessToken(session.accessToken);
    expect(subject).toMatchObject({ userId: session.user.id, email: session.user.email });
    expect(accessTokenNeedsRenewal(session.accessToken)).toBe(false);
    expect(accessTokenNeedsRenewal(session.accessToken, { nowMs: subject!.expiresAt * 1000 - 10_000 })).toBe(true);
    expect(accessTokenNeedsRenewal(session.accessToken, { nowMs: subject!.expiresAt * 1000 })).toBe(true);
    expect(readAccessToken("not-a-jwt")).toBeNull();
    expect(accessTokenNeedsRenewal("not-a-jwt")).toBe(true);
  });
});
